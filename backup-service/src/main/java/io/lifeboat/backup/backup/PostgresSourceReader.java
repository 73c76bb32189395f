package io.lifeboat.backup.backup;

import io.lifeboat.backup.storage.ArchiveSink;
import io.lifeboat.backup.config.BackupConfig;
import io.lifeboat.backup.source.Source;
import io.lifeboat.postgres.ClientBinaries;
import io.lifeboat.postgres.SecretReferences;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

/** A postgres source: pg_dump of a snapshot exported by a repeatable-read transaction ({@link PostgresDump}). */
@ApplicationScoped
class PostgresSourceReader implements SourceReader {

    private final String pgDump;
    private final String pgDumpall;
    private final SecretReferences secrets;

    PostgresSourceReader(BackupConfig config, SecretReferences secrets) {
        this.pgDump = ClientBinaries.program(config.pgBin(), "pg_dump");
        this.pgDumpall = ClientBinaries.program(config.pgBin(), "pg_dumpall");
        this.secrets = secrets;
    }

    @Override
    public SourceRead read(Source source, ArchiveSink sink, LongConsumer estimate) throws BackupFailure, IOException {
        String password = SourceReader.password(secrets, source);
        try (PostgresDump dump = PostgresDump.snapshot(source, password)) {
            estimate.accept(dump.databaseBytes());
            InputStream in = dump.start(pgDump, source, password);
            try {
                in.transferTo(sink);
            } catch (IOException e) {
                if (dump.exitedWithError()) {
                    throw new BackupFailure("dump", "pg_dump failed: " + dump.stderrText(), e);
                }
                throw e;
            }
            dump.finish();
            String roles = dump.roleStatements(pgDumpall, source, password);
            Map<String, String> tools = new LinkedHashMap<>();
            tools.put("pg_dump", PostgresDump.pgDumpVersion(pgDump));
            tools.put("server", dump.serverVersion());
            tools.put("zstd", com.github.luben.zstd.util.Native.isLoaded() ? "zstd-jni" : "unknown");
            return new SourceRead(dump.recoveryPoint().truncatedTo(ChronoUnit.MICROS), tools, dump.rowCounts(),
                    dump.newestTimestamps(), null, null, roles, null);
        }
    }
}
