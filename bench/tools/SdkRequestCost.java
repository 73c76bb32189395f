import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;

/**
 * The CPU one ranged GET costs through the AWS SDK (configured as backup-bucket's S3ClientProducer does), from a cold
 * JVM on: per batch of 100 requests, the calling thread's CPU and the whole process's (the JIT compilers included).
 * <pre>
 *   ./mvnw -q -o dependency:build-classpath -pl backup-bucket -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp "$(cat /tmp/cp.txt)" bench/tools/SdkRequestCost.java http://127.0.0.1:23000 BUCKET KEY 1500 4096
 * </pre>
 */
public class SdkRequestCost {
    public static void main(String[] args) throws Exception {
        String endpoint = args[0], bucket = args[1], key = args[2];
        int requests = Integer.parseInt(args[3]), rangeBytes = Integer.parseInt(args[4]);
        S3Client s3 = S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        System.getenv().getOrDefault("AWS_ACCESS_KEY_ID", "lifeboat"),
                        System.getenv().getOrDefault("AWS_SECRET_ACCESS_KEY", "lifeboat-secret"))))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        var threads = ManagementFactory.getThreadMXBean();
        var process = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        byte[] buffer = new byte[1 << 20];
        for (int batch = 0; batch < requests / 100; batch++) {
            long thread0 = threads.getCurrentThreadCpuTime(), process0 = process.getProcessCpuTime(), wall0 = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                try (InputStream in = s3.getObject(r -> r.bucket(bucket).key(key).range("bytes=0-" + (rangeBytes - 1)))) {
                    while (in.read(buffer) >= 0) {
                        // drained, as a restore reads it
                    }
                }
            }
            System.out.printf("requests %5d-%5d: thread %.2f ms, process %.2f ms, wall %.2f ms per request%n",
                    batch * 100 + 1, batch * 100 + 100, (threads.getCurrentThreadCpuTime() - thread0) / 1e8,
                    (process.getProcessCpuTime() - process0) / 1e8, (System.nanoTime() - wall0) / 1e8);
        }
        s3.close();
    }
}
