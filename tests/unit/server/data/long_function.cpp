// A fixture for scripts/check-function-length (lint.function_length_detects): one function
// of 81 lines among braces in comments, strings and raw strings that must not confuse it.

#include <string>

namespace fixture {

struct Small {
    int f() const { return 1; }  // short: fine
};

const char* kText = R"({ not a brace } })";

int too_long(int x) {
    x += 1;  // } a brace in a comment
    x += 1;
    x += 2;
    x += 3;
    x += 4;
    x += std::string("}{").size();
    x += 6;
    x += 7;
    x += 8;
    x += 9;
    x += 1;  // } a brace in a comment
    x += 11;
    x += 12;
    x += 13;
    x += 14;
    x += std::string("}{").size();
    x += 16;
    x += 17;
    x += 18;
    x += 19;
    x += 1;  // } a brace in a comment
    x += 21;
    x += 22;
    x += 23;
    x += 24;
    x += std::string("}{").size();
    x += 26;
    x += 27;
    x += 28;
    x += 29;
    x += 1;  // } a brace in a comment
    x += 31;
    x += 32;
    x += 33;
    x += 34;
    x += std::string("}{").size();
    x += 36;
    x += 37;
    x += 38;
    x += 39;
    x += 1;  // } a brace in a comment
    x += 41;
    x += 42;
    x += 43;
    x += 44;
    x += std::string("}{").size();
    x += 46;
    x += 47;
    x += 48;
    x += 49;
    x += 1;  // } a brace in a comment
    x += 51;
    x += 52;
    x += 53;
    x += 54;
    x += std::string("}{").size();
    x += 56;
    x += 57;
    x += 58;
    x += 59;
    x += 1;  // } a brace in a comment
    x += 61;
    x += 62;
    x += 63;
    x += 64;
    x += std::string("}{").size();
    x += 66;
    x += 67;
    x += 68;
    x += 69;
    x += 1;  // } a brace in a comment
    x += 71;
    x += 72;
    x += 73;
    x += 74;
    x += std::string("}{").size();
    x += 76;
    x += 77;
    x += 78;
}

}  // namespace fixture
