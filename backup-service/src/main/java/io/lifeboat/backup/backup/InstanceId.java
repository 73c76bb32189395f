package io.lifeboat.backup.backup;

import io.lifeboat.backup.config.BackupConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This instance's stable name (host:port unless configured): a restart fails its own interrupted backups. */
@ApplicationScoped
public class InstanceId {
    private final String value;

    public InstanceId(BackupConfig config, @ConfigProperty(name = "quarkus.http.port") int port) {
        this.value = config.instanceId().orElseGet(() -> host() + ":" + port);
    }

    public String value() {
        return value;
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
