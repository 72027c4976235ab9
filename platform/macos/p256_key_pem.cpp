// P-256 private key PEM/DER codec (p256_key_pem.h).

#include "platform/macos/p256_key_pem.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace tally::platform {
namespace {

using pairing::Bytes;
using Span = std::span<const std::uint8_t>;

// DER bodies of the object identifiers (RFC 5480 §2.1.1, §2.1.1.1).
constexpr std::uint8_t kOidEcPublicKey[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
constexpr std::uint8_t kOidPrime256v1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

Error bad(const std::string& why) {
    return make_error("bad_key", "P-256 private key: " + why);
}

//! Reads DER TLVs in sequence from one buffer.
class DerReader {
  public:
    explicit DerReader(Span data) : data_(data) {}
    bool done() const { return pos_ == data_.size(); }
    std::optional<std::uint8_t> peek_tag() const {
        return done() ? std::nullopt : std::optional(data_[pos_]);
    }
    //! The content of the next element if its tag is `tag`.
    std::optional<Span> read(std::uint8_t tag) {
        if (pos_ + 2 > data_.size() || data_[pos_] != tag)
            return std::nullopt;
        std::size_t p = pos_ + 1;
        std::size_t len = data_[p++];
        if (len & 0x80) {
            const std::size_t n = len & 0x7f;
            if (n == 0 || n > 2 || p + n > data_.size())
                return std::nullopt;
            len = 0;
            for (std::size_t i = 0; i < n; ++i)
                len = (len << 8) | data_[p++];
        }
        if (p + len > data_.size())
            return std::nullopt;
        pos_ = p + len;
        return data_.subspan(p, len);
    }

  private:
    Span data_;
    std::size_t pos_ = 0;
};

bool equals(Span a, Span b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool is_small_integer(std::optional<Span> v, std::uint8_t value) {
    return v && v->size() == 1 && (*v)[0] == value;
}

//! RFC 5915 ECPrivateKey; `params_known` when PKCS#8's AlgorithmIdentifier named the curve.
Result<P256PrivateKey> parse_ec_private_key(Span der, bool params_known) {
    DerReader outer(der);
    auto seq = outer.read(0x30);
    if (!seq || !outer.done())
        return bad("ECPrivateKey is not one DER SEQUENCE");
    DerReader r(*seq);
    if (!is_small_integer(r.read(0x02), 1))
        return bad("ECPrivateKey version is not 1");
    auto d = r.read(0x04);
    if (!d || d->size() != 32)
        return bad("private scalar is not 32 bytes");
    P256PrivateKey key;
    std::copy(d->begin(), d->end(), key.d.begin());
    if (r.peek_tag() == 0xa0) {
        DerReader params(*r.read(0xa0));
        auto oid = params.read(0x06);
        if (!oid || !equals(*oid, kOidPrime256v1))
            return bad("curve is not P-256 (prime256v1)");
        params_known = true;
    }
    if (!params_known)
        return bad("no curve named");
    if (r.peek_tag() != 0xa1)
        return bad("no public key in the file (Security cannot derive it); write it with one");
    DerReader pub(*r.read(0xa1));
    auto bits = pub.read(0x03);
    if (!bits || bits->size() != 66 || (*bits)[0] != 0x00 || (*bits)[1] != 0x04)
        return bad("public key is not an uncompressed P-256 point");
    std::copy(bits->begin() + 1, bits->end(), key.point.begin());
    return key;
}

//! RFC 5208 PrivateKeyInfo holding an id-ecPublicKey P-256 key.
Result<P256PrivateKey> parse_pkcs8(Span der) {
    DerReader outer(der);
    auto seq = outer.read(0x30);
    if (!seq || !outer.done())
        return bad("PKCS#8 is not one DER SEQUENCE");
    DerReader r(*seq);
    if (!is_small_integer(r.read(0x02), 0))
        return bad("PKCS#8 version is not 0");
    auto alg = r.read(0x30);
    if (!alg)
        return bad("PKCS#8 has no AlgorithmIdentifier");
    DerReader a(*alg);
    auto type = a.read(0x06);
    auto curve = a.read(0x06);
    if (!type || !equals(*type, kOidEcPublicKey))
        return bad("not an elliptic-curve key");
    if (!curve || !equals(*curve, kOidPrime256v1))
        return bad("curve is not P-256 (prime256v1)");
    auto inner = r.read(0x04);
    if (!inner)
        return bad("PKCS#8 has no private key octets");
    return parse_ec_private_key(*inner, true);
}

std::optional<std::string> pem_body(std::string_view pem, std::string_view label) {
    const std::string begin = "-----BEGIN " + std::string(label) + "-----";
    const std::string end = "-----END " + std::string(label) + "-----";
    const auto b = pem.find(begin);
    if (b == std::string_view::npos)
        return std::nullopt;
    const auto e = pem.find(end, b + begin.size());
    if (e == std::string_view::npos)
        return std::nullopt;
    std::string body;
    for (char c : pem.substr(b + begin.size(), e - b - begin.size())) {
        if (!std::isspace(static_cast<unsigned char>(c)))
            body.push_back(c);
    }
    return body;
}

void append_tlv(Bytes& out, std::uint8_t tag, Span content) {
    out.push_back(tag);
    if (content.size() < 0x80) {
        out.push_back(static_cast<std::uint8_t>(content.size()));
    } else {
        out.push_back(0x81);
        out.push_back(static_cast<std::uint8_t>(content.size()));
    }
    out.insert(out.end(), content.begin(), content.end());
}

}  // namespace

Result<P256PrivateKey> parse_p256_private_pem(std::string_view pem) {
    if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos)
        return bad("the key file is encrypted; the agent needs an unencrypted 0600 file");
    const bool pkcs8 = pem.find("-----BEGIN PRIVATE KEY-----") != std::string_view::npos;
    auto body = pem_body(pem, pkcs8 ? "PRIVATE KEY" : "EC PRIVATE KEY");
    if (!body)
        return bad("no PEM \"PRIVATE KEY\" or \"EC PRIVATE KEY\" block");
    auto der = pairing::base64_decode(*body);
    if (!der)
        return bad("PEM body is not base64");
    return pkcs8 ? parse_pkcs8(*der) : parse_ec_private_key(*der, false);
}

std::string p256_private_pem(const P256PrivateKey& key) {
    Bytes ec;  // ECPrivateKey content
    const std::uint8_t version1[] = {0x01};
    append_tlv(ec, 0x02, version1);
    append_tlv(ec, 0x04, key.d);
    Bytes bits{0x00};
    bits.insert(bits.end(), key.point.begin(), key.point.end());
    Bytes bit_string;
    append_tlv(bit_string, 0x03, bits);
    append_tlv(ec, 0xa1, bit_string);
    Bytes ec_seq;
    append_tlv(ec_seq, 0x30, ec);

    Bytes alg;
    append_tlv(alg, 0x06, kOidEcPublicKey);
    append_tlv(alg, 0x06, kOidPrime256v1);
    Bytes info;
    const std::uint8_t version0[] = {0x00};
    append_tlv(info, 0x02, version0);
    append_tlv(info, 0x30, alg);
    append_tlv(info, 0x04, ec_seq);
    Bytes der;
    append_tlv(der, 0x30, info);

    const std::string b64 = pairing::base64_encode(der);
    std::string out = "-----BEGIN PRIVATE KEY-----\n";
    for (std::size_t i = 0; i < b64.size(); i += 64)
        out += b64.substr(i, 64) + "\n";
    out += "-----END PRIVATE KEY-----\n";
    return out;
}

pairing::Bytes p256_x963_private(const P256PrivateKey& key) {
    Bytes out(key.point.begin(), key.point.end());
    out.insert(out.end(), key.d.begin(), key.d.end());
    return out;
}

Result<P256PrivateKey> p256_from_x963_private(std::span<const std::uint8_t> x963) {
    if (x963.size() != 97 || x963[0] != 0x04)
        return bad("X9.63 private key is not 04 || X || Y || D of 97 bytes");
    P256PrivateKey key;
    std::copy(x963.begin(), x963.begin() + 65, key.point.begin());
    std::copy(x963.begin() + 65, x963.end(), key.d.begin());
    return key;
}

}  // namespace tally::platform
