/** How every service's process starts (waiting for its deployment, failing with the cause) and stops (bounded). */
package org.stargan.process;
