package io.lifeboat.bucket;

import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

import java.util.concurrent.CompletableFuture;

/**
 * SigV4 that does not hash a body a second time when the request already carries its SHA-256 as
 * {@code x-amz-checksum-sha256}. Over plain HTTP the SDK always signs the payload (one more SHA-256 of every byte,
 * and S3 another to check it). That header is itself signed and S3 checks the body against it, so the body stays
 * bound to the signature with {@code UNSIGNED-PAYLOAD}, exactly as the SDK does over HTTPS. Every other request is
 * signed unchanged.
 */
final class ChecksummedPayloadSigner implements AwsV4HttpSigner {

    static final String CHECKSUM_HEADER = "x-amz-checksum-sha256";

    private final AwsV4HttpSigner delegate = AwsV4HttpSigner.create();

    /** The SigV4 auth scheme of the S3 client, with this signer. */
    static AwsV4AuthScheme scheme() {
        ChecksummedPayloadSigner signer = new ChecksummedPayloadSigner();
        return new AwsV4AuthScheme() {
            @Override
            public String schemeId() {
                return AwsV4AuthScheme.SCHEME_ID;
            }

            @Override
            public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
                return providers.identityProvider(AwsCredentialsIdentity.class);
            }

            @Override
            public AwsV4HttpSigner signer() {
                return signer;
            }
        };
    }

    @Override
    public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
        SdkHttpRequest http = request.request();
        if (!carriesItsChecksumOverHttp(http) || request.payload().isEmpty()) {
            return delegate.sign(request);
        }
        // the SDK leaves the payload unsigned only over HTTPS; the protocol is not part of what SigV4 signs
        SignedRequest signed = delegate.sign(request.copy(r -> r.request(http.toBuilder().protocol("https").build())
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4FamilyHttpSigner.CHUNK_ENCODING_ENABLED, false)));
        return signed.copy(r -> r.request(signed.request().toBuilder().protocol(http.protocol()).build()));
    }

    @Override
    public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
        return delegate.signAsync(request);
    }

    /** Plain HTTP on a port that is explicit either way (80 and 443 change the signed Host with the protocol). */
    private static boolean carriesItsChecksumOverHttp(SdkHttpRequest http) {
        return "http".equals(http.protocol()) && http.port() != 80 && http.port() != 443
                && http.firstMatchingHeader(CHECKSUM_HEADER).isPresent();
    }
}
