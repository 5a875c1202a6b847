P
SELECT 'one;
SELECT E'two\';
