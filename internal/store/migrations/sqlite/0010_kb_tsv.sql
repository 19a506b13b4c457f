-- Nothing on SQLite: the PostgreSQL migration of the same name stores the
-- knowledge base's tsvector; SQLite's FTS5 index already holds its own.
SELECT 1;
