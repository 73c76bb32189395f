-- The catalogue is the bucket's manifests (cached in memory by key and ETag); the event-fed copy was never read.
DROP TABLE catalog_entry;
