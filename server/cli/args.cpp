// Command-line parsing (see args.h).

#include "server/cli/args.h"

namespace tally::server::cli {

std::optional<std::string> Args::get(const std::string& name) const {
    const auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
    return get(name).value_or(fallback);
}

Result<Args> parse_args(const std::vector<std::string>& argv,
                        const std::set<std::string>& allowed) {
    Args args;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const auto& word = argv[i];
        if (word.rfind("--", 0) != 0 && !(word.size() == 2 && word[0] == '-' && word[1] != '-')) {
            args.positional.push_back(word);
            continue;
        }
        std::string name = word.substr(word[1] == '-' ? 2 : 1);
        std::optional<std::string> value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (!allowed.contains(name)) {
            return make_error("usage", "unknown option '" + word + "'");
        }
        if (!value) {
            if (i + 1 >= argv.size()) {
                return make_error("usage", "option --" + name + " needs a value");
            }
            value = argv[++i];
        }
        if (args.options.contains(name)) {
            return make_error("usage", "option --" + name + " given twice");
        }
        args.options[name] = *value;
    }
    return args;
}

}  // namespace tally::server::cli
