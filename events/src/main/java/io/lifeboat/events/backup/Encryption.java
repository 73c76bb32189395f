package io.lifeboat.events.backup;

/** How a stored object is encrypted: the algorithm and key id, never the key. */
public record Encryption(String algorithm, String keyId) {
}
