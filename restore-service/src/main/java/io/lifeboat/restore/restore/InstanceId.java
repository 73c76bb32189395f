package io.lifeboat.restore.restore;

import io.lifeboat.restore.config.RestoreConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This instance's stable name (host:port unless configured). */
@ApplicationScoped
public class InstanceId {
    private final String value;

    public InstanceId(RestoreConfig config, @ConfigProperty(name = "quarkus.http.port") int port) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        String fallback = host + ":" + port;
        this.value = config.instanceId().orElse(fallback);
    }

    public String value() {
        return value;
    }
}
