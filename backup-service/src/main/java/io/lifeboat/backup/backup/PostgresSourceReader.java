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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
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
            // the roles (pg_dumpall) and pg_dump's version do not depend on the dump: read beside it, not after it
            FutureTask<RolesAndVersion> besideTheDump = new FutureTask<>(() -> new RolesAndVersion(
                    dump.roleStatements(pgDumpall, source, password), PostgresDump.pgDumpVersion(pgDump)));
            Thread reader = new Thread(besideTheDump, "pg_dumpall-roles");
            reader.setDaemon(true);
            reader.start();
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
            RolesAndVersion beside = await(besideTheDump);
            Map<String, String> tools = new LinkedHashMap<>();
            tools.put("pg_dump", beside.pgDumpVersion());
            tools.put("server", dump.serverVersion());
            tools.put("zstd", com.github.luben.zstd.util.Native.isLoaded() ? "zstd-jni" : "unknown");
            return new SourceRead(dump.recoveryPoint().truncatedTo(ChronoUnit.MICROS), tools, dump.rowCounts(),
                    dump.newestTimestamps(), null, null, beside.roleStatements(), null);
        }
    }

    /** What is read beside the dump: the statements creating the roles the database needs, and pg_dump's version. */
    private record RolesAndVersion(String roleStatements, String pgDumpVersion) {
    }

    private static RolesAndVersion await(FutureTask<RolesAndVersion> besideTheDump) throws BackupFailure {
        try {
            return besideTheDump.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BackupFailure failure) {
                throw failure;
            }
            throw new BackupFailure("roles", "cannot read the roles the database needs: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupFailure("roles", "interrupted while pg_dumpall ran");
        }
    }
}
