package io.lifeboat.backup;

import io.lifeboat.testsupport.Scratch;
import io.lifeboat.stack.Ports;
import io.lifeboat.testsupport.TestServers;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Outside the local stack, a missing key is a startup error naming the file, never a silently generated new key
 * (which would leave every backup encrypted or authenticated with the old one unusable).
 */
class BackupServiceRefusesToStartWithoutItsKeysIT {

    private static String startWith(Map<String, String> properties) throws Exception {
        TestServers servers = TestServers.get();
        servers.postgres().createDatabase("lifeboat_backup_nokeys");
        Path log = Scratch.file("backup-nokeys", ".log");
        var command = servers.packagedServiceCommand(System.getProperty("lifeboat.service.jar"), Ports.free(),
                "lifeboat_backup_nokeys", "lifeboat-nokeys", properties);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the service must stop, not run without its keys").isTrue();
            assertThat(process.exitValue()).isNotZero();
            return Files.readString(log);
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void aMissingEncryptionKeysetIsAStartupError() throws Exception {
        Path missing = Scratch.directory("nokeys").resolve("backup-keyset.json");
        String log = startWith(Map.of("lifeboat.backup.encryption.keyset-file", missing.toString(),
                "lifeboat.backup.encryption.generate-if-missing", "false"));
        assertThat(log).contains(missing.toString()).contains("does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aMissingManifestKeyIsAStartupError() throws Exception {
        Path missing = Scratch.directory("nokeys").resolve("manifest-keyset.json");
        String log = startWith(Map.of("lifeboat.manifest.keyset-file", missing.toString(),
                "lifeboat.manifest.generate-if-missing", "false"));
        assertThat(log).contains(missing.toString()).contains("does not exist");
        assertThat(missing).doesNotExist();
    }
}
