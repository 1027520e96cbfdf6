/**
 * Fixed owner addresses for the local dev/test network. They are well-formed
 * user-friendly TON addresses (non-bounceable, workchain 0, CRC16 valid) whose account
 * ids are SHA-256("cocoon-dev-<role>-owner"); nobody holds keys for them.
 */

export const DEV_CLIENT_OWNER_ADDRESS = 'UQCjho1xTzl67SdWC7B4mmfcpNrQYBpBqsV8GJVuXi4nIlDg';
export const DEV_PROXY_OWNER_ADDRESS = 'UQAdOhxv7OMwVyudT8txokzVD65jwdCFTxdTAH4GYaWqrj6z';
export const DEV_WORKER_OWNER_ADDRESS = 'UQBi-KmumZBHQu5oN9mp3cOSx9ZmsIq0Wl4ZmszpQSU-xlFH';

/** SHA-256 of the empty string: the secret hash of a client whose secret_string is ''. */
export const EMPTY_SECRET_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
