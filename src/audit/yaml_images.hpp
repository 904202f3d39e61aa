// Container images of databases and what their documented environment variables and command
// lines do to authentication. Shared by the docker-compose and Kubernetes kinds
// (yaml_containers.cpp), which only differ in where they find the variables and the ports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ajar::audit::images {

// One environment variable as the manifest writes it.
struct env_var {
  std::string value;
  std::size_t line = 0;
  bool known = true;  // false: from the shell (${VAR}, a bare name), a Secret or a ConfigMap
};

// A container: image, environment, command line, as far as the file shows them.
struct container {
  std::string image;
  std::size_t image_line = 0;
  std::map<std::string, env_var, std::less<>> env;
  bool env_elsewhere = false;     // env_file / envFrom: variables this file cannot show
  std::vector<std::string> args;  // entrypoint/command/args, split into words
  std::size_t command_line = 0;   // 0 when the file sets no command
};

// A recognised image.
struct image_info {
  std::string_view product;  // "redis", "postgresql", ...: names the exposure in messages
  std::uint16_t port = 0;    // the port the image serves clients on
  bool dashboard = false;    // Kibana / OpenSearch Dashboards: an admin UI, not a database
};

// What the image is, from its reference ("docker.io/bitnami/redis:7.2@sha256:..."); nullopt
// for an image that is not a database we know.
std::optional<image_info> recognise(std::string_view image);

// Why this container accepts clients without credentials: the line of the deciding setting and
// a message quoting it. nullopt when authentication is on, or the file cannot tell.
struct open_reason {
  std::size_t line = 0;
  std::string message;
};
std::optional<open_reason> auth_disabled(const container& c);

// "${X:-default}"-style and bare values from the shell are not known; everything else is.
env_var env_from_text(std::string_view value, std::size_t line);

}  // namespace ajar::audit::images
