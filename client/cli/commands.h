// File: client/cli/commands.h
//
// The `newswatch` command groups. Each takes the arguments after its command
// word and returns the process exit code.
#ifndef NW_CLIENT_CLI_COMMANDS_H_
#define NW_CLIENT_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace nw::client::cli {

int RunSubmit(const std::vector<std::string>& args);  // submit_command.cc
int RunRules(const std::vector<std::string>& args);   // rules_command.cc
int RunRulesImport(
    const std::vector<std::string>& args);  // rules_io_command.cc
int RunRulesExport(
    const std::vector<std::string>& args);              // rules_io_command.cc
int RunWatch(const std::vector<std::string>& args);     // watch_command.cc
int RunGet(const std::vector<std::string>& args);       // get_command.cc
int RunToken(const std::vector<std::string>& args);     // token_command.cc
int RunAdmin(const std::vector<std::string>& args);     // admin_command.cc
int RunSettings(const std::vector<std::string>& args);  // settings_command.cc
int RunHooks(const std::vector<std::string>& args);     // delivery_command.cc
int RunEmail(const std::vector<std::string>& args);     // delivery_command.cc

}  // namespace nw::client::cli

#endif  // NW_CLIENT_CLI_COMMANDS_H_
