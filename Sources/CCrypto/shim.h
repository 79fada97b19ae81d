#pragma once
// The one-call SHA256_Init/Update/Final API is deprecated in OpenSSL 3 in favour of EVP, but it is the
// same code without the EVP dispatch and allocation; keep it, quietly.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
