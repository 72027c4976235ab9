// PROTOCOL.md §9 (worked example) is read at test time and checked against the library, so
// the document cannot drift from the code.

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>

#include "pairing/batch.h"
#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "pairing/pairing_code.h"

using namespace tally::pairing;

namespace {

// The fenced code blocks after "## 9. Worked example", in order.
std::vector<std::string> example_blocks(std::string& section) {
    std::ifstream in(TALLY_PROTOCOL_MD);
    REQUIRE(in.good());
    const std::string doc{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto start = doc.find("## 9. Worked example");
    REQUIRE(start != std::string::npos);
    section = doc.substr(start);
    std::vector<std::string> blocks;
    std::istringstream lines(section);
    std::string line, block;
    bool inside = false;
    while (std::getline(lines, line)) {
        if (line.rfind("```", 0) == 0) {
            if (inside)
                blocks.push_back(block);
            block.clear();
            inside = !inside;
        } else if (inside) {
            block += line + "\n";
        }
    }
    return blocks;
}

// `text` in back quotes (built with += : GCC 12 -O2 warns falsely on "`" + std::string).
std::string in_backquotes(const std::string& text) {
    std::string out = "`";
    out += text;
    out += '`';
    return out;
}

std::string strip_newlines(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '\n'), s.end());
    return s;
}

}  // namespace

TEST_CASE("PROTOCOL.md worked example matches the library") {
    std::string section;
    const auto blocks = example_blocks(section);
    REQUIRE(blocks.size() == 9);
    const std::string& pem = blocks[0];
    std::istringstream pub_lines(blocks[1]);
    std::string pub_hex, pub_b64;
    pub_lines >> pub_hex >> pub_b64;
    const std::string hb1 = strip_newlines(blocks[2]);
    const std::string hb2 = strip_newlines(blocks[3]);
    const std::string body = strip_newlines(blocks[4]);
    const auto gz = base64_decode(strip_newlines(blocks[5]));
    const auto batch_sig = base64url_decode(strip_newlines(blocks[6]));
    const std::string pair = strip_newlines(blocks[7]);
    const auto pair_sig = base64url_decode(strip_newlines(blocks[8]));

    auto key = SoftwareKey::from_pem(pem);
    REQUIRE(key.ok());
    const Bytes pub = key->public_key();
    REQUIRE(hex_encode(pub) == pub_hex);
    REQUIRE(base64url_encode(pub) == pub_b64);

    const auto h1 = decode_heartbeat(hb1);
    const auto h2 = decode_heartbeat(hb2);
    REQUIRE(h1.ok());
    REQUIRE(h2.ok());
    REQUIRE(encode_heartbeat(*h1) == hb1);
    REQUIRE(encode_heartbeat(*h2) == hb2);
    REQUIRE(h1->prev == kGenesisPrev);
    REQUIRE(h2->prev == chain_hash(hb1));
    REQUIRE(section.find(in_backquotes(chain_hash(hb1))) != std::string::npos);
    REQUIRE(section.find(in_backquotes(chain_hash(hb2))) != std::string::npos);

    const auto batch = decode_batch(body);
    REQUIRE(batch.ok());
    REQUIRE(batch->heartbeats == std::vector<std::string>{hb1, hb2});
    REQUIRE(encode_batch(*batch) == body);

    REQUIRE(gz.has_value());
    REQUIRE(*gzip_decompress(as_chars(*gz), 1 << 20) == body);
    REQUIRE(section.find(std::to_string(gz->size()) + " bytes") != std::string::npos);
    REQUIRE(section.find(in_backquotes(hex_encode(sha256(*gz)))) != std::string::npos);
    REQUIRE(batch_sig.has_value());
    REQUIRE(verify_signature(pub, *gz, *batch_sig));

    const auto pr = decode_pair_request(pair);
    REQUIRE(pr.ok());
    REQUIRE(pr->public_key == pub_b64);
    REQUIRE(*normalize_pairing_code(pr->code) == pr->code);
    REQUIRE(encode_pair_request(*pr) == pair);
    REQUIRE(pair_sig.has_value());
    REQUIRE(verify_signature(pub, as_bytes(pair), *pair_sig));
}
