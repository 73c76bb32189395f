package io.lifeboat.bucket;

/** A manifest whose MAC is missing or wrong: the bucket content was not written by this Lifeboat (or was changed). */
public class UntrustedManifest extends Exception {

    private final String key;

    public UntrustedManifest(String key, String why) {
        super("manifest " + key + " " + why + ": the bucket content was not written by this Lifeboat (or was changed "
                + "since); it is refused");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
