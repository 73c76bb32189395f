-- A postgres target names the one database a replace may touch; any admin-allowed URLs its HTTP checks may call.
ALTER TABLE target
    ADD COLUMN database_name   text,
    ADD COLUMN http_check_urls jsonb NOT NULL DEFAULT '[]';
