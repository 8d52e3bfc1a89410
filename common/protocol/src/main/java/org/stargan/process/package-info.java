/**
 * How every service's process starts (waiting for its deployment, failing with the cause) and stops (bounded), and
 * removes the directories it made.
 */
package org.stargan.process;
