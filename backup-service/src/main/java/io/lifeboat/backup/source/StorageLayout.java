package io.lifeboat.backup.source;

/**
 * How a directory source's backups are stored: {@code archive}, one compressed tar object per backup (each backup
 * full); {@code chunks}, the tar cut into content-defined chunks stored once each, so a backup uploads only what
 * changed and a frequent schedule stays cheap, while every backup still restores on its own.
 */
public enum StorageLayout {
    archive,
    chunks
}
