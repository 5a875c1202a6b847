P
/* /* ; */ */ SELECT 1 /* a /* b ; */ c ; */;
-- line comment; with ; semicolons
SELECT 2; -- trailing
/* last comment
   spanning lines */
