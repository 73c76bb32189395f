-- The version of the cut parameters (FastCdc) each chunk store cuts its chunks with, fixed when the store is created:
-- chunks cut another way would not match the stored ones. The stores that exist now were all cut with version 1.
CREATE TABLE chunk_store (
    source      text        PRIMARY KEY,
    chunker     smallint    NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO chunk_store (source, chunker) SELECT DISTINCT source, 1 FROM chunk;
