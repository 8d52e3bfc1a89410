/** The Kafka wire protocol's records and header names (documented in {@code docs/protocol.md}). */
package org.stargan.msg;
