/**
 * {@code ./stargan bench gateway}: HTTP load from a separate JVM ({@link org.stargan.deploy.bench.LoadClient}) through
 * a gateway, Kafka and an inference worker, next to the same worker driven over Kafka alone and the bare generator.
 */
package org.stargan.deploy.bench;
