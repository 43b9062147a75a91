// Debian's libsecp256k1 (libsecp256k1-dev), the ECDSA library Bitcoin Core uses.
#include <secp256k1.h>
