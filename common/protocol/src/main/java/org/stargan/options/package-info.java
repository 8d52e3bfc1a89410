/**
 * Option tables: each command's options (and the training job fields the services accept) declared once — name, kind,
 * range, default, help — from which parsing, error messages, usage text and the job JSON schema all derive.
 */
package org.stargan.options;
