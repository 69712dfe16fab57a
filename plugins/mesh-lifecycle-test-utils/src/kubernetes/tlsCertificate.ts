/**
 * A fixed self-signed certificate (EC P-256, CN kubernetes-emulator, SANs
 * 127.0.0.1 and localhost, valid until 2126) for emulators started with
 * `tls: true`. It is a test fixture, not a secret: clients connect with
 * `insecure-skip-tls-verify`. Shipping it avoids generating keys at run time.
 */
export const EMULATOR_TLS_CERTIFICATE = {
  cert: `-----BEGIN CERTIFICATE-----
MIIBrzCCAVWgAwIBAgIUTL5Swy9Avq96NzW7bagaxaPGMiQwCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTa3ViZXJuZXRlcy1lbXVsYXRvcjAgFw0yNjExMjYwMzQyMzFa
GA8yMTI2MTEwMjAzNDIzMVowHjEcMBoGA1UEAwwTa3ViZXJuZXRlcy1lbXVsYXRv
cjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABP772pAms1nf5WQ2jUmIZTocLDyA
1bn2iT1jMs1Gt1S/le7J9rEH3/yIpKSYkNqJSfmURTLxw1ZApd17mIMrR5SjbzBt
MB0GA1UdDgQWBBQlVMHIcLtQHnBsN2U/A7gX4/mr+zAfBgNVHSMEGDAWgBQlVMHI
cLtQHnBsN2U/A7gX4/mr+zAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGHBH8A
AAGCCWxvY2FsaG9zdDAKBggqhkjOPQQDAgNIADBFAiEAs+f60LTQ/u3pRdnRaxc5
x6Io6aGhomKhieys7JciVVwCIGp30z0CNiQG+0HxahCDKhOd7gDU7Cdu6yzJlxmy
gBIQ
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWmoRiX5aPcFEc2yq
KbDXJ+JsVcd94NNDXt6Z0UL0kfahRANCAAT++9qQJrNZ3+VkNo1JiGU6HCw8gNW5
9ok9YzLNRrdUv5XuyfaxB9/8iKSkmJDaiUn5lEUy8cNWQKXde5iDK0eU
-----END PRIVATE KEY-----
`,
};
