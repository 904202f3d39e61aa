// docker-compose files and Kubernetes manifests: a database container whose environment or
// command line turns authentication off (yaml_images.cpp knows each image's switches) AND whose
// port is published beyond the host:
//   compose  ports: short ("6379:6379", "127.0.0.1:6379:6379", "[::1]:6379:6379", "6379") and
//            long syntax ({target, published, host_ip}); no host IP means every interface
//            (https://docs.docker.com/reference/compose-file/services/#ports); network_mode: host.
//            environment: map or list syntax; env_file is not followed, so a rule that needs a
//            variable to be ABSENT stays silent when env_file is set.
//   k8s      Pod / Deployment / StatefulSet / DaemonSet / ReplicaSet / ReplicationController /
//            Job / CronJob pod templates, exposed by hostNetwork, a hostPort, or a Service of
//            type NodePort or LoadBalancer (or with externalIPs) in the same file and namespace
//            whose selector matches the pod's labels and whose targetPort is the database port
//            (https://kubernetes.io/docs/concepts/services-networking/service/). Multi-document
//            files (`---`) and `kind: List` are read.
// YAML merge keys (`<<: *defaults`), common in compose files, are followed (yaml-cpp 0.7 leaves
// them to the reader).
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "audit/kinds.hpp"
#include "audit/yaml_images.hpp"
#include "audit/yaml_settings.hpp"

namespace ajar::audit {

namespace {

using yaml_util::line_of;
using yaml_util::scalar;

// Merge keys followed at most this deep: `<<` chains in real files are one or two levels; stops
// a cycle of aliases from recursing forever.
constexpr std::size_t max_merge_depth = 8;
// Services, containers, ports, env entries or manifest objects looked at per list. Stops a
// hostile file from turning one walk into millions of steps (aliases make big lists cheap).
constexpr std::size_t max_list_items = 10000;

// m[key], looking through merge keys; nullopt when absent.
std::optional<YAML::Node> child(const YAML::Node& m, std::string_view key, std::size_t depth = 0) {
  if (!m.IsDefined() || !m.IsMap() || depth > max_merge_depth) return std::nullopt;
  for (const auto& kv : m)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  for (const auto& kv : m) {
    if (!kv.first.IsScalar() || kv.first.Scalar() != "<<") continue;
    if (kv.second.IsMap()) {
      if (auto r = child(kv.second, key, depth + 1)) return r;
    } else if (kv.second.IsSequence()) {
      for (std::size_t i = 0; i < kv.second.size() && i < max_list_items; ++i)
        if (auto r = child(kv.second[i], key, depth + 1)) return r;
    }
  }
  return std::nullopt;
}

std::optional<std::string> child_scalar(const YAML::Node& m, std::string_view key) {
  const auto c = child(m, key);
  return c ? scalar(*c) : std::nullopt;
}

// Words of a command given as a string (shell form) or a list (exec form).
void add_words(const YAML::Node& n, std::vector<std::string>& out) {
  if (const auto s = scalar(n)) {
    for (auto& w : yaml_util::split_list(*s, ' ')) out.push_back(std::move(w));
  } else if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size() && i < max_list_items; ++i) add_words(n[i], out);
  }
}

bool port_in(std::string_view spec, std::uint16_t port) {
  spec = yaml_util::trim(spec.substr(0, spec.find('/')));
  const auto dash = spec.find('-');
  const auto number = [](std::string_view s) -> long {
    s = yaml_util::trim(s);
    if (s.empty() || s.size() > 5) return -1;
    long v = 0;
    for (const char ch : s) {
      if (ch < '0' || ch > '9') return -1;
      v = v * 10 + (ch - '0');
    }
    return v;
  };
  const long lo = number(spec.substr(0, dash));
  const long hi = dash == std::string_view::npos ? lo : number(spec.substr(dash + 1));
  return lo >= 0 && lo <= port && port <= hi;
}

bool reaches_network(std::string_view host_ip) {
  return host_ip.empty() || yaml_util::classify_host(host_ip) == yaml_util::reach::network;
}

// ---------------------------------------------------------------------------------------------
// docker-compose

constexpr std::array compose_rules{
    rule{"AJAR-COMPOSE-001", "docker-compose", core::severity::critical,
         "A compose service publishes a database on every host interface with authentication off",
         "Publish the port on 127.0.0.1 only (\"127.0.0.1:6379:6379\") or not at all, and set the "
         "image's password variable",
         "https://docs.docker.com/reference/compose-file/services/#ports"},
    rule{"AJAR-COMPOSE-002", "docker-compose", core::severity::high,
         "A compose service publishes a dashboard on every host interface with its login off",
         "Publish the port on 127.0.0.1 only, or keep the security plugin / xpack security on",
         "https://docs.docker.com/reference/compose-file/services/#ports"},
};

struct exposure {
  std::size_t line = 0;
  std::string text;
};

// Compose interpolation with a default ("${PORT:-6379}", "${IP-127.0.0.1}") replaced by the
// default, so its colon does not split the port spec; "${VAR}" stays, and is unknown.
std::string with_defaults(std::string_view s) {
  std::string out;
  while (true) {
    const auto open = s.find("${");
    const auto close = open == std::string_view::npos ? open : s.find('}', open);
    if (close == std::string_view::npos) break;
    const auto inner = s.substr(open + 2, close - open - 2);
    const auto dash = inner.find('-');
    out += s.substr(0, open);
    if (dash == std::string_view::npos)
      out += s.substr(open, close - open + 1);
    else
      out += inner.substr(dash + 1);
    s.remove_prefix(close + 1);
  }
  return out + std::string(s);
}

// A short-syntax port entry ("[IP:][HOST:]CONTAINER[/PROTO]").
std::optional<exposure> short_port(const YAML::Node& item, std::uint16_t port) {
  const auto s = scalar(item);
  if (!s) return std::nullopt;
  const std::string expanded = with_defaults(yaml_util::trim(*s));
  std::string_view spec = expanded;
  if (yaml_util::lower(spec).ends_with("/udp")) return std::nullopt;  // the databases speak TCP
  std::string host_ip;
  std::string_view container;
  if (spec.starts_with('[')) {
    const auto close = spec.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host_ip = std::string(spec.substr(1, close - 1));
    const auto rest = spec.substr(close + 1);
    container = rest.substr(rest.rfind(':') == std::string_view::npos ? 0 : rest.rfind(':') + 1);
  } else {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
      const auto colon = spec.find(':', start);
      parts.push_back(spec.substr(start, colon == std::string_view::npos ? colon : colon - start));
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    container = parts.back();
    if (parts.size() >= 3) {
      const auto ip_end = spec.size() - parts.back().size() - parts[parts.size() - 2].size() - 2;
      host_ip = std::string(spec.substr(0, ip_end));
    }
  }
  if (!port_in(container, port) || !reaches_network(host_ip)) return std::nullopt;
  return exposure{line_of(item), "ports: \"" + std::string(spec) + "\""};
}

// A long-syntax port entry ({target, published, host_ip, protocol}).
std::optional<exposure> long_port(const YAML::Node& item, std::uint16_t port) {
  const auto target = child_scalar(item, "target");
  if (!target || !port_in(*target, port)) return std::nullopt;
  if (yaml_util::lower(child_scalar(item, "protocol").value_or("tcp")) == "udp")
    return std::nullopt;
  const auto host_ip = child_scalar(item, "host_ip").value_or("");
  if (!reaches_network(host_ip)) return std::nullopt;
  const auto published = child_scalar(item, "published").value_or("(any)");
  return exposure{line_of(item), "ports: target " + *target + " published " + published +
                                     (host_ip.empty() ? "" : " on " + host_ip)};
}

std::optional<exposure> compose_exposure(const YAML::Node& svc, std::uint16_t port) {
  if (const auto mode = child(svc, "network_mode"); mode && scalar(*mode) == "host")
    return exposure{line_of(*mode), "network_mode: host"};
  const auto ports = child(svc, "ports");
  if (!ports || !ports->IsSequence()) return std::nullopt;
  for (std::size_t i = 0; i < ports->size() && i < max_list_items; ++i) {
    const auto item = (*ports)[i];
    if (auto e = item.IsMap() ? long_port(item, port) : short_port(item, port)) return e;
  }
  return std::nullopt;
}

// environment: map (KEY: value, KEY: null, merge keys) or list ("KEY=value", "KEY").
void compose_env(const YAML::Node& env, images::container& c, std::size_t depth = 0) {
  if (depth > max_merge_depth) return;
  if (env.IsSequence()) {
    for (std::size_t i = 0; i < env.size() && i < max_list_items; ++i) {
      const auto item = scalar(env[i]);
      if (!item) continue;
      const auto eq = item->find('=');
      if (eq == std::string::npos)
        c.env.try_emplace(*item, images::env_var{"", line_of(env[i]), false});
      else
        c.env.insert_or_assign(
            item->substr(0, eq),
            images::env_from_text(std::string_view(*item).substr(eq + 1), line_of(env[i])));
    }
    return;
  }
  if (!env.IsMap()) return;
  std::size_t n = 0;
  for (const auto& kv : env) {
    if (++n > max_list_items) break;
    const auto key = scalar(kv.first);
    if (!key || *key == "<<") continue;
    if (kv.second.IsNull() || !kv.second.IsDefined())
      c.env.insert_or_assign(*key, images::env_var{"", line_of(kv.first), false});
    else if (const auto v = scalar(kv.second))
      c.env.insert_or_assign(*key, images::env_from_text(*v, line_of(kv.first)));
  }
  for (const auto& kv : env) {  // merged entries never override the explicit ones
    if (!kv.first.IsScalar() || kv.first.Scalar() != "<<") continue;
    images::container merged;
    if (kv.second.IsSequence()) {
      for (std::size_t i = 0; i < kv.second.size() && i < max_list_items; ++i)
        compose_env(kv.second[i], merged, depth + 1);
    } else {
      compose_env(kv.second, merged, depth + 1);
    }
    for (auto& [k, v] : merged.env) c.env.try_emplace(k, std::move(v));
  }
}

void check_compose_body(const source_file& file, std::vector<issue>& out) {
  const auto docs = yaml_util::load_all(file, out);
  if (!docs || docs->empty()) return;
  const auto& root = (*docs)[0];
  if (!root.IsMap()) {
    if (root.IsDefined() && !root.IsNull())
      out.push_back(
          unparseable(file, line_of(root), "expected a map at the top of the compose file"));
    return;
  }
  const auto services = child(root, "services");
  if (!services || !services->IsMap()) return;
  std::size_t n = 0;
  for (const auto& kv : *services) {
    if (++n > max_list_items) break;
    const auto name = scalar(kv.first);
    const auto& svc = kv.second;
    if (!name || !svc.IsMap()) continue;
    const auto image = child(svc, "image");
    const auto image_text = image ? scalar(*image) : std::nullopt;
    if (!image_text) continue;
    const auto info = images::recognise(*image_text);
    if (!info) continue;
    images::container c;
    c.image = *image_text;
    c.image_line = line_of(*image);
    if (const auto env = child(svc, "environment")) compose_env(*env, c);
    if (const auto env_file = child(svc, "env_file"); env_file && !env_file->IsNull())
      c.env_elsewhere = true;
    for (const auto* key : {"entrypoint", "command"})
      if (const auto cmd = child(svc, key)) {
        add_words(*cmd, c.args);
        c.command_line = line_of(*cmd);
      }
    const auto reason = images::auth_disabled(c);
    if (!reason) continue;
    const auto exposed = compose_exposure(svc, info->port);
    if (!exposed) continue;
    out.push_back(issue{&compose_rules[info->dashboard ? 1 : 0], file.path, reason->line, 0,
                        "service " + *name + ": " + reason->message + "; " + exposed->text +
                            " (line " + std::to_string(exposed->line) + ") publishes " +
                            std::string(info->product) + " port " + std::to_string(info->port) +
                            " on every interface"});
  }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes

constexpr std::array k8s_rules{
    rule{"AJAR-K8S-001", "kubernetes", core::severity::critical,
         "A workload exposes a database outside the cluster with authentication off",
         "Use a ClusterIP Service (no NodePort/LoadBalancer/hostPort/hostNetwork) and set the "
         "image's password from a Secret",
         "https://kubernetes.io/docs/concepts/services-networking/service/"
         "#publishing-services-service-types"},
    rule{"AJAR-K8S-002", "kubernetes", core::severity::high,
         "A workload exposes a dashboard outside the cluster with its login off",
         "Use a ClusterIP Service behind an authenticating ingress, or keep the security plugin on",
         "https://kubernetes.io/docs/concepts/services-networking/service/"
         "#publishing-services-service-types"},
};

struct pod_template {
  std::string where;  // "Deployment/redis"
  std::string ns;
  YAML::Node labels;  // map or undefined
  YAML::Node spec;    // pod spec
};

struct service {
  std::string name;
  std::string ns;
  std::string type;
  std::size_t line = 0;  // of the type (or of the metadata) line
  bool external_ips = false;
  YAML::Node selector;
  YAML::Node ports;
};

std::string ns_of(const YAML::Node& obj) {
  if (const auto md = child(obj, "metadata"))
    if (const auto ns = child_scalar(*md, "namespace")) return *ns;
  return "default";
}

std::string name_of(const YAML::Node& obj) {
  if (const auto md = child(obj, "metadata"))
    if (const auto n = child_scalar(*md, "name")) return *n;
  return "?";
}

// The pod template of a workload object, following spec.template / spec.jobTemplate.
std::optional<pod_template> template_of(const YAML::Node& obj, const std::string& kind) {
  pod_template t{kind + "/" + name_of(obj), ns_of(obj), {}, {}};
  std::optional<YAML::Node> holder;  // the object holding metadata + spec of the pod
  if (kind == "Pod") {
    holder = obj;
  } else if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" ||
             kind == "ReplicaSet" || kind == "ReplicationController" || kind == "Job") {
    if (const auto spec = child(obj, "spec")) holder = child(*spec, "template");
  } else if (kind == "CronJob") {
    if (const auto spec = child(obj, "spec"))
      if (const auto jt = child(*spec, "jobTemplate"))
        if (const auto js = child(*jt, "spec")) holder = child(*js, "template");
  }
  if (!holder) return std::nullopt;
  const auto spec = child(*holder, "spec");
  if (!spec || !spec->IsMap()) return std::nullopt;
  t.spec = *spec;
  if (const auto md = child(*holder, "metadata"))
    if (const auto labels = child(*md, "labels"); labels && labels->IsMap()) t.labels = *labels;
  return t;
}

std::optional<service> service_of(const YAML::Node& obj) {
  const auto spec = child(obj, "spec");
  if (!spec) return std::nullopt;
  service s{name_of(obj), ns_of(obj), "ClusterIP", line_of(obj), false, {}, {}};
  if (const auto type = child(*spec, "type"); type && scalar(*type)) {
    s.type = *scalar(*type);
    s.line = line_of(*type);
  }
  if (const auto ips = child(*spec, "externalIPs"); ips && ips->IsSequence() && ips->size() > 0)
    s.external_ips = true;
  if (const auto sel = child(*spec, "selector"); sel && sel->IsMap()) s.selector = *sel;
  if (const auto ports = child(*spec, "ports"); ports && ports->IsSequence()) s.ports = *ports;
  return s;
}

bool selects(const service& s, const pod_template& t) {
  if (!s.selector.IsDefined() || !s.selector.IsMap() || s.selector.size() == 0) return false;
  if (!t.labels.IsDefined()) return false;
  for (const auto& kv : s.selector) {
    const auto key = scalar(kv.first);
    const auto want = scalar(kv.second);
    if (!key || !want) return false;
    const auto have = child_scalar(t.labels, *key);
    if (!have || *have != *want) return false;
  }
  return true;
}

// Whether a Service port's targetPort (number or container port name) reaches `port`.
bool targets(const YAML::Node& svc_port, const YAML::Node& container, std::uint16_t port) {
  auto target = child_scalar(svc_port, "targetPort");
  if (!target) target = child_scalar(svc_port, "port");
  if (!target) return false;
  if (port_in(*target, port)) return true;
  if (const auto cports = child(container, "ports"); cports && cports->IsSequence())
    for (std::size_t i = 0; i < cports->size() && i < max_list_items; ++i) {
      const auto& cp = (*cports)[i];
      if (child_scalar(cp, "name") == target) {
        const auto number = child_scalar(cp, "containerPort");
        return number && port_in(*number, port);
      }
    }
  return false;
}

std::optional<exposure> k8s_exposure(const pod_template& t, const YAML::Node& container,
                                     std::uint16_t port, const std::vector<service>& services) {
  if (const auto hn = child(t.spec, "hostNetwork");
      hn && yaml_util::is_true(scalar(*hn).value_or("")))
    return exposure{line_of(*hn), "hostNetwork: true"};
  if (const auto cports = child(container, "ports"); cports && cports->IsSequence())
    for (std::size_t i = 0; i < cports->size() && i < max_list_items; ++i) {
      const auto& cp = (*cports)[i];
      const auto number = child_scalar(cp, "containerPort");
      const auto host_port = child_scalar(cp, "hostPort");
      if (number && host_port && port_in(*number, port) &&
          reaches_network(child_scalar(cp, "hostIP").value_or("")))
        return exposure{line_of(cp), "hostPort " + *host_port};
    }
  for (const auto& s : services) {
    const bool outside = s.type == "NodePort" || s.type == "LoadBalancer" || s.external_ips;
    if (!outside || s.ns != t.ns || !selects(s, t) || !s.ports.IsDefined()) continue;
    for (std::size_t i = 0; i < s.ports.size() && i < max_list_items; ++i)
      if (targets(s.ports[i], container, port))
        return exposure{s.line, "Service " + s.name + " (type " + s.type +
                                    (s.external_ips ? ", externalIPs" : "") + ")"};
  }
  return std::nullopt;
}

images::container k8s_container(const YAML::Node& spec) {
  images::container c;
  if (const auto image = child(spec, "image"); image && scalar(*image)) {
    c.image = *scalar(*image);
    c.image_line = line_of(*image);
  }
  if (const auto env = child(spec, "env"); env && env->IsSequence())
    for (std::size_t i = 0; i < env->size() && i < max_list_items; ++i) {
      const auto& e = (*env)[i];
      const auto name = child_scalar(e, "name");
      if (!name) continue;
      if (const auto value = child(e, "value"); value && scalar(*value))
        c.env.insert_or_assign(*name, images::env_from_text(*scalar(*value), line_of(e)));
      else  // valueFrom: a Secret or ConfigMap this file does not show
        c.env.insert_or_assign(*name, images::env_var{"", line_of(e), false});
    }
  if (const auto from = child(spec, "envFrom"); from && from->IsSequence() && from->size() > 0)
    c.env_elsewhere = true;
  for (const auto* key : {"command", "args"})
    if (const auto cmd = child(spec, key)) {
      add_words(*cmd, c.args);
      c.command_line = line_of(*cmd);
    }
  return c;
}

void collect(const YAML::Node& obj, std::vector<pod_template>& pods, std::vector<service>& services,
             std::size_t depth = 0) {
  if (!obj.IsMap() || depth > 2) return;
  const auto kind = child_scalar(obj, "kind").value_or("");
  if (kind == "List" || kind.ends_with("List")) {
    if (const auto items = child(obj, "items"); items && items->IsSequence())
      for (std::size_t i = 0; i < items->size() && i < max_list_items; ++i)
        collect((*items)[i], pods, services, depth + 1);
  } else if (kind == "Service") {
    if (auto s = service_of(obj)) services.push_back(std::move(*s));
  } else if (auto t = template_of(obj, kind)) {
    pods.push_back(std::move(*t));
  }
}

void check_kubernetes_body(const source_file& file, std::vector<issue>& out) {
  const auto docs = yaml_util::load_all(file, out);
  if (!docs) return;
  std::vector<pod_template> pods;
  std::vector<service> services;
  for (const auto& d : *docs) collect(d, pods, services);
  for (const auto& t : pods) {
    const auto containers = child(t.spec, "containers");
    if (!containers || !containers->IsSequence()) continue;
    for (std::size_t i = 0; i < containers->size() && i < max_list_items; ++i) {
      const auto& spec = (*containers)[i];
      const auto c = k8s_container(spec);
      const auto info = images::recognise(c.image);
      if (!info) continue;
      const auto reason = images::auth_disabled(c);
      if (!reason) continue;
      const auto exposed = k8s_exposure(t, spec, info->port, services);
      if (!exposed) continue;
      const auto cname = child_scalar(spec, "name").value_or("?");
      out.push_back(issue{&k8s_rules[info->dashboard ? 1 : 0], file.path, reason->line, 0,
                          t.where + " container " + cname + ": " + reason->message + "; " +
                              exposed->text + " (line " + std::to_string(exposed->line) +
                              ") exposes " + std::string(info->product) + " port " +
                              std::to_string(info->port) + " outside the cluster"});
    }
  }
}

void check_compose(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_compose_body(file, out); });
}

void check_kubernetes(const source_file& file, std::vector<issue>& out) {
  yaml_util::guarded(file, out, [&] { check_kubernetes_body(file, out); });
}

// ---------------------------------------------------------------------------------------------
// Recognition from the first bytes: keys at column 0.

bool yaml_extension(std::string_view name) {
  return name.ends_with(".yml") || name.ends_with(".yaml");
}

// A Go template (Helm chart, kustomize is fine) is not YAML until rendered.
bool templated(std::string_view head) {
  return head.find("{{") != std::string_view::npos;
}

bool has_top_key(std::string_view head, std::string_view key) {
  std::size_t pos = 0;
  while (pos < head.size()) {
    const auto nl = head.find('\n', pos);
    const auto line =
        head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':') return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

// `services:` at column 0 followed by a map, indented below or in flow style on the same line
// (GitLab CI has a top-level `services:` list, which is not a compose file).
bool has_services_map(std::string_view head) {
  const bool first = head.starts_with("services:");
  const auto at = first ? 0 : head.find("\nservices:");
  if (at == std::string_view::npos) return false;
  auto rest = head.substr(at + (first ? 9 : 10));
  const auto eol = rest.find('\n');
  const auto same_line = yaml_util::trim(rest.substr(0, eol));
  if (!same_line.empty() && !same_line.starts_with('#')) return same_line.starts_with('{');
  rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    const auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    const auto t = yaml_util::trim(line);
    if (t.empty() || t.starts_with('#')) continue;
    if (line.front() != ' ' && line.front() != '\t') return false;  // next key: services was empty
    return !t.starts_with('-');
  }
  return false;
}

bool compose_name(std::string_view name) {
  for (const std::string_view stem : {"docker-compose", "compose"}) {
    if (!name.starts_with(stem)) continue;
    const auto rest = name.substr(stem.size());
    if (rest == ".yml" || rest == ".yaml") return true;
    if (rest.starts_with('.') && yaml_extension(rest)) return true;  // docker-compose.prod.yml
  }
  return false;
}

bool recognise_compose(std::string_view name, std::string_view head) {
  if (compose_name(name)) return true;
  return yaml_extension(name) && !templated(head) && !has_top_key(head, "apiVersion") &&
         has_services_map(head);
}

bool recognise_kubernetes(std::string_view name, std::string_view head) {
  return yaml_extension(name) && !templated(head) && has_top_key(head, "apiVersion") &&
         has_top_key(head, "kind");
}

}  // namespace

const file_kind& docker_compose_kind() {
  static const file_kind k{"docker_compose", recognise_compose, check_compose, compose_rules};
  return k;
}

const file_kind& kubernetes_kind() {
  static const file_kind k{"kubernetes", recognise_kubernetes, check_kubernetes, k8s_rules};
  return k;
}

}  // namespace ajar::audit
