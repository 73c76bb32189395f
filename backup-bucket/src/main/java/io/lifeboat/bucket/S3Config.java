package io.lifeboat.bucket;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The S3 store ({@code lifeboat.s3.*}); defaults match `./lifeboat up`. Keys come from the environment. */
@ConfigMapping(prefix = "lifeboat.s3")
public interface S3Config {
    @WithDefault("http://127.0.0.1:9000")
    String endpoint();

    @WithDefault("us-east-1")
    String region();

    @WithDefault("lifeboat")
    String accessKey();

    @WithDefault("lifeboat-secret")
    String secretKey();

    @WithDefault("lifeboat-backups")
    String bucket();

    /** Key prefix of every backup: {@code <prefix>/<source>/<yyyy>/<mm>/<dd>/<backupId>/}. */
    @WithDefault("backups")
    String prefix();

    @WithDefault("true")
    boolean pathStyle();
}
