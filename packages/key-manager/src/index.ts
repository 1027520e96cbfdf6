/**
 * @cocoon/key-manager: the key manager runner (reference proto 3): mints the short-lived Ed25519 request
 * encryption keys, publishes their public halves on the root, and serves the private halves to attested
 * proxies and workers whose image hash the root lists.
 */
export {};
