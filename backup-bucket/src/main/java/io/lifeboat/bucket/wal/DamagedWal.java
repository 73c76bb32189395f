package io.lifeboat.bucket.wal;

/** A WAL object that cannot be used: missing, not written by this Lifeboat, or its bytes differ from its header. */
public class DamagedWal extends Exception {

    private final String key;

    public DamagedWal(String key, String why) {
        super("WAL object " + key + " " + why);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
