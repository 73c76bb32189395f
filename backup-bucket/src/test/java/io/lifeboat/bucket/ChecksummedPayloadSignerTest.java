package io.lifeboat.bucket;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksummedPayloadSignerTest {

    private static final byte[] BODY = "part bytes".getBytes(StandardCharsets.UTF_8);

    @Test
    void aBodyCarryingItsSignedSha256IsNotHashedAgainOverHttp() {
        SignedRequest signed = sign(request("http", 9000).putHeader(ChecksummedPayloadSigner.CHECKSUM_HEADER, checksum()));
        assertEquals("UNSIGNED-PAYLOAD", signed.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
        assertEquals("http", signed.request().protocol(), "still sent over the endpoint's own protocol");
        // the checksum header is covered by the signature: S3 refuses the body if it does not match it
        assertTrue(signed.request().firstMatchingHeader("Authorization").orElseThrow()
                .contains(ChecksummedPayloadSigner.CHECKSUM_HEADER));
    }

    @Test
    void aBodyWithoutItIsSignedAsTheSdkDoes() {
        SignedRequest signed = sign(request("http", 9000));
        assertEquals(HexFormat.of().formatHex(StoredObjectDigest.sha256().digest(BODY)),
                signed.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
    }

    @Test
    void onTheDefaultPortsNothingChanges() {
        SignedRequest signed = sign(request("http", 80).putHeader(ChecksummedPayloadSigner.CHECKSUM_HEADER, checksum()));
        assertEquals(HexFormat.of().formatHex(StoredObjectDigest.sha256().digest(BODY)),
                signed.request().firstMatchingHeader("x-amz-content-sha256").orElseThrow());
    }

    private static String checksum() {
        return Base64.getEncoder().encodeToString(StoredObjectDigest.sha256().digest(BODY));
    }

    private static SdkHttpRequest.Builder request(String protocol, int port) {
        return SdkHttpRequest.builder().method(SdkHttpMethod.PUT).protocol(protocol).host("127.0.0.1").port(port)
                .encodedPath("/bucket/key").putHeader("Content-Length", String.valueOf(BODY.length));
    }

    private static SignedRequest sign(SdkHttpRequest.Builder request) {
        AwsCredentialsIdentity identity = AwsBasicCredentials.create("access", "secret");
        ContentStreamProvider body = () -> new ByteArrayInputStream(BODY);
        return new ChecksummedPayloadSigner().sign(SignRequest.builder(identity).request(request.build()).payload(body)
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3").build());
    }
}
