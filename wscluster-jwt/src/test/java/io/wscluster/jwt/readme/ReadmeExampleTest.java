package io.wscluster.jwt.readme;

import io.wscluster.jwt.JwtVerifier;
import io.wscluster.tyrus.WsServer;
import io.wscluster.tyrus.WsServerBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Authentication and origins" example, compiled and built with the tests so it stays true. */
class ReadmeExampleTest {

    static WsServerBuilder readmeExample(String secret) {
        JwtVerifier verifier = JwtVerifier.builder()
                .hmacSecret(secret)            // HS256; or publicKey(rsaOrEcKey) for RS256/ES256, or jwk(json)
                .audience("chat")              // optional: the aud claim must contain it
                .userParameter("user")         // optional: ?user=, if sent, must equal sub
                .build();
        return WsServer.builder().identityVerifier(verifier);
    }

    @Test
    void readmeExample_builds() {
        assertThat(readmeExample("a shared secret of more than 32 bytes")).isNotNull();
    }
}
