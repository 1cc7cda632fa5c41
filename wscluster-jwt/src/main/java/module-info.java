/**
 * Token authentication for wscluster-tyrus handshakes: {@code io.wscluster.jwt.JwtVerifier}, an
 * {@code IdentityVerifier} for JSON Web Tokens on nimbus-jose-jwt. No nimbus type appears in its public
 * signatures, so nimbus is read but not passed on.
 *
 * @since 0.2.0
 */
module io.wscluster.jwt {
    requires transitive io.wscluster.tyrus;
    requires com.nimbusds.jose.jwt;
    requires org.slf4j;

    exports io.wscluster.jwt;
}
