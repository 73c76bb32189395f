package io.lifeboat.http;

import io.quarkus.security.identity.SecurityIdentity;

/** The {@code actor} of an event caused by an API call: the token's user. */
public final class Actors {
    private Actors() {
    }

    public static String of(SecurityIdentity identity) {
        return identity == null || identity.isAnonymous() ? "anonymous" : "user:" + identity.getPrincipal().getName();
    }
}
