package io.lifeboat.backup.wal;

import com.github.luben.zstd.Zstd;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.crypto.BackupEncryption;
import io.lifeboat.bucket.wal.WalArchive;
import io.lifeboat.bucket.wal.WalObjectHeader;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Stores one piece of WAL: zstd, then Tink streaming AEAD when the source is encrypted (the object's name as
 * associated data, so a segment cannot be passed off as another), then the signed header with the payload's
 * sha256 ({@link WalArchive#put}).
 */
@ApplicationScoped
public class WalUpload {

    private final WalArchive archive;
    private final BackupEncryption encryption;
    private final BackupConfig config;

    public WalUpload(WalArchive archive, BackupEncryption encryption, BackupConfig config) {
        this.archive = archive;
        this.encryption = encryption;
        this.config = config;
    }

    /** What the streamer stores: {@code length} bytes of {@code data}, WAL of one segment or a history file. */
    record Piece(String source, String systemId, int timeline, String name, boolean partial, byte[] data, int length,
                 String endLsn, Instant coveredUntil, boolean encrypted) {
    }

    WalObjectHeader store(Piece piece) throws IOException {
        // a timeline history file is a few lines of positions, read by whoever computes a window: stored as it is
        boolean history = piece.name().endsWith(WalArchive.HISTORY_SUFFIX);
        byte[] payload;
        int length;
        if (history) {
            payload = piece.data();
            length = piece.length();
        } else {
            payload = new byte[(int) Zstd.compressBound(piece.length())];
            long compressed = Zstd.compressByteArray(payload, 0, payload.length, piece.data(), 0, piece.length(), config.zstdLevel());
            if (Zstd.isError(compressed)) {
                throw new IOException("zstd: " + Zstd.getErrorName(compressed));
            }
            length = (int) compressed;
        }
        boolean encrypted = piece.encrypted() && !history;
        if (encrypted) {
            ByteArrayOutputStream sealed = new ByteArrayOutputStream(length + 1024);
            try (OutputStream out = encryption.encrypting(sealed, WalArchive.associatedData(piece.source(), piece.name()))) {
                out.write(payload, 0, length);
            }
            payload = sealed.toByteArray();
            length = payload.length;
        }
        String key = history
                ? archive.historyKey(piece.source(), piece.systemId(), piece.timeline())
                : archive.segmentKey(piece.source(), piece.systemId(), piece.timeline(), piece.name(), piece.partial());
        WalObjectHeader header = new WalObjectHeader(WalObjectHeader.FORMAT_VERSION, piece.source(), piece.systemId(),
                piece.timeline(),
                piece.name(), piece.partial(), piece.length(), length, null, piece.endLsn(), piece.coveredUntil(),
                history ? "none" : "zstd", encrypted ? encryption.describe() : null, Instant.now().truncatedTo(ChronoUnit.MICROS), null);
        return archive.put(key, header, payload, length);
    }
}
