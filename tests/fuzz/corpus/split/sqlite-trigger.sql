S
CREATE TABLE t (a INTEGER, b TEXT);
CREATE TRIGGER tr AFTER INSERT ON t BEGIN
  INSERT INTO log VALUES (new.a, 'ins;');
  UPDATE c SET n = CASE WHEN new.a > 0 THEN 1 ELSE 0 END;
END;
CREATE TEMP TRIGGER IF NOT EXISTS tr2 BEFORE DELETE ON t
WHEN old.a IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'no; deleting');
  DELETE FROM u WHERE a = old.a;
END;
create temporary trigger tr3 instead of update of b on v for each row begin
  update t set b = new.b where a = old.a; end;
SELECT 2;
