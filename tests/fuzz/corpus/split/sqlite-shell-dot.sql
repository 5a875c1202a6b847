S
.mode csv
.import data.csv t
SELECT 1; -- the shell's dot-commands are not SQL
