/** Kafka plumbing shared by the services: topic names, the local broker for tests and the demo. */
package org.stargan.kafka;
