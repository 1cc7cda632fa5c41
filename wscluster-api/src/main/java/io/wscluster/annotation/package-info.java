/**
 * Annotations an application puts on its endpoints; a server integration (wscluster-tyrus) reads them.
 *
 * @since 0.1.0
 */
package io.wscluster.annotation;
