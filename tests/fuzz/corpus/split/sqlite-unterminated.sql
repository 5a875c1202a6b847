S
SELECT [never closed;
SELECT "nor this;
