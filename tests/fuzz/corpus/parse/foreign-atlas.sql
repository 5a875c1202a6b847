-- atlas:txmode none

CREATE INDEX CONCURRENTLY i ON t (a);
