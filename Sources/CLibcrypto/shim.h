// OpenSSL's libcrypto (libssl-dev): SHA-256, RIPEMD-160 and HMAC-SHA512 through EVP.
#include <openssl/evp.h>
#include <openssl/hmac.h>
