// Cilium policy oracle: reads scenarios (namespaces, pods, external peers, CNP/CCNP and
// Kubernetes NetworkPolicy objects, flows) as JSON on stdin and prints, per flow, the
// verdict of Cilium's own policy repository (pkg/policy LookupFlow) on stdout.
//
// Identities are built the way the agent builds them: pod labels sanitised with the
// namespace labels, namespace name, service account and cluster name (pkg/k8s/utils),
// given source k8s and passed through the default identity-label filter (pkg/labelsfilter).
// External addresses get CIDR identities (pkg/labels GetCIDRLabels) plus, for a DNS name,
// the fqdn: label of every toFQDNs selector of the scenario that matches it (what the DNS
// proxy attaches after resolution). Reserved peers use Cilium's reserved identities.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strings"

	cilium "github.com/cilium/proxy/go/cilium/api"

	"github.com/cilium/cilium/pkg/fqdn/dns"
	"github.com/cilium/cilium/pkg/identity"
	"github.com/cilium/cilium/pkg/identity/identitymanager"
	"github.com/cilium/cilium/pkg/k8s"
	cilium_v2 "github.com/cilium/cilium/pkg/k8s/apis/cilium.io/v2"
	slim_networkingv1 "github.com/cilium/cilium/pkg/k8s/slim/k8s/api/networking/v1"
	k8sUtils "github.com/cilium/cilium/pkg/k8s/utils"
	"github.com/cilium/cilium/pkg/labels"
	"github.com/cilium/cilium/pkg/labelsfilter"
	"github.com/cilium/cilium/pkg/option"
	"github.com/cilium/cilium/pkg/policy"
	"github.com/cilium/cilium/pkg/policy/api"
	policytypes "github.com/cilium/cilium/pkg/policy/types"
	policyutils "github.com/cilium/cilium/pkg/policy/utils"
	testidentity "github.com/cilium/cilium/pkg/testutils/identity"
	testpolicy "github.com/cilium/cilium/pkg/testutils/policy"
	ciliumtypes "github.com/cilium/cilium/pkg/types"
	"github.com/cilium/cilium/pkg/u8proto"
)

type namespaceIn struct {
	Name   string            `json:"name"`
	Labels map[string]string `json:"labels"`
}

type portIn struct {
	Name     string `json:"name"`
	Port     uint16 `json:"port"`
	Protocol string `json:"protocol"`
}

type podIn struct {
	Name           string            `json:"name"`
	Namespace      string            `json:"namespace"`
	Labels         map[string]string `json:"labels"`
	ServiceAccount string            `json:"serviceAccount"`
	Ports          []portIn          `json:"ports"`
}

type externalIn struct {
	Name    string `json:"name"`
	IP      string `json:"ip"`
	DNSName string `json:"dnsName"`
}

type flowIn struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Protocol string `json:"protocol"`
	Port     uint16 `json:"port"`
}

type scenarioIn struct {
	ID          string            `json:"id"`
	Enforcement string            `json:"enforcement"`
	// cilium-config options: allow-localhost (always|policy; "always" is what "auto" means
	// under Kubernetes) and enable-non-default-deny-policies.
	AllowLocalhost               string `json:"allowLocalhost"`
	EnableNonDefaultDenyPolicies *bool  `json:"enableNonDefaultDenyPolicies"`
	// enable-ipv6 (enable-ipv4 stays on, the agent default): dual stack labels external
	// addresses world-ipv4 / world-ipv6 instead of world.
	EnableIPv6 bool `json:"enableIPv6"`
	Namespaces  []namespaceIn     `json:"namespaces"`
	Pods        []podIn           `json:"pods"`
	Externals   []externalIn      `json:"externals"`
	Policies    []json.RawMessage `json:"policies"`
	Flows       []flowIn          `json:"flows"`
}

type input struct {
	ClusterName string       `json:"clusterName"`
	Scenarios   []scenarioIn `json:"scenarios"`
}

type flowOut struct {
	Egress  string `json:"egress"`
	Ingress string `json:"ingress"`
	Error   string `json:"error,omitempty"`
}

type scenarioOut struct {
	ID string `json:"id"`
	// Policies Cilium refused (parse/sanitize error), by "Kind namespace/name".
	Rejected map[string]string `json:"rejected"`
	Flows    []flowOut         `json:"flows"`
}

type objectHead struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

type nsLabels struct {
	name   string
	labels map[string]string
}

func (n nsLabels) GetName() string                { return n.name }
func (n nsLabels) GetLabels() map[string]string { return n.labels }

var reservedPeers = map[string]identity.NumericIdentity{
	"host":           identity.ReservedIdentityHost,
	"remote-node":    identity.ReservedIdentityRemoteNode,
	"kube-apiserver": identity.ReservedIdentityKubeAPIServer,
	"health":         identity.ReservedIdentityHealth,
	"init":           identity.ReservedIdentityInit,
	"ingress":        identity.ReservedIdentityIngress,
	"unmanaged":      identity.ReservedIdentityUnmanaged,
	"world":          identity.ReservedIdentityWorld,
}

// namedPorts answers egress named-port lookups as the agent's ipcache does: per peer identity.
type portsByIdentity struct{ m ciliumtypes.NamedPortMultiMap }

func (n portsByIdentity) GetNamedPorts() ciliumtypes.NamedPortMultiMap { return n.m }

// noL7Translation stands in for the Envoy translation of HTTP rules (as Cilium's own policy
// tests do): L7 rules redirect to the proxy, the L4 verdict is what is compared.
type noL7Translation struct{}

func (noL7Translation) GetEnvoyHTTPRules(*api.L7Rules, string) (*cilium.HttpNetworkPolicyRules, bool) {
	return nil, true
}

func main() {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The agent's defaults for the options rule sanitisation consults.
	option.Config.EnableL7Proxy = true
	option.Config.EnableICMPRules = true
	if err := labelsfilter.ParseLabelPrefixCfg(logger, nil, nil, ""); err != nil {
		fail("label filter: %v", err)
	}
	raw, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("read stdin: %v", err)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fail("parse input: %v", err)
	}
	if in.ClusterName == "" {
		in.ClusterName = "default"
	}
	api.InitEntities(in.ClusterName)
	out := make([]scenarioOut, 0, len(in.Scenarios))
	for _, s := range in.Scenarios {
		out = append(out, runScenario(logger, in.ClusterName, s))
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(map[string]any{"scenarios": out}); err != nil {
		fail("write: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "cilium-oracle: "+format+"\n", args...)
	os.Exit(2)
}

func runScenario(logger *slog.Logger, clusterName string, s scenarioIn) scenarioOut {
	res := scenarioOut{ID: s.ID, Rejected: map[string]string{}}
	option.Config.UnsafeDaemonConfigOption.AllowLocalhost = option.AllowLocalhostAlways
	if s.AllowLocalhost != "" {
		option.Config.UnsafeDaemonConfigOption.AllowLocalhost = s.AllowLocalhost
	}
	option.Config.EnableNonDefaultDenyPolicies = s.EnableNonDefaultDenyPolicies == nil || *s.EnableNonDefaultDenyPolicies
	option.Config.EnableIPv4 = true
	option.Config.EnableIPv6 = s.EnableIPv6
	switch s.Enforcement {
	case "", "default":
		policy.SetPolicyEnabled(option.DefaultEnforcement)
	case "always":
		policy.SetPolicyEnabled(option.AlwaysEnforce)
	case "never":
		policy.SetPolicyEnabled(option.NeverEnforce)
	default:
		fail("scenario %s: enforcement %q", s.ID, s.Enforcement)
	}

	// Parse the policies first: FQDN selectors decide the labels of external identities.
	var entries policytypes.PolicyEntries
	var fqdnSelectors []api.FQDNSelector
	for _, p := range s.Policies {
		var head objectHead
		if err := json.Unmarshal(p, &head); err != nil {
			fail("scenario %s: policy head: %v", s.ID, err)
		}
		ref := fmt.Sprintf("%s %s/%s", head.Kind, head.Metadata.Namespace, head.Metadata.Name)
		switch head.Kind {
		case "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy":
			var cnp cilium_v2.CiliumNetworkPolicy
			if err := json.Unmarshal(p, &cnp); err != nil {
				res.Rejected[ref] = "decode: " + err.Error()
				continue
			}
			if head.Kind == "CiliumClusterwideNetworkPolicy" {
				cnp.Namespace = ""
			} else if cnp.Namespace == "" {
				cnp.Namespace = "default"
			}
			rules, err := cnp.Parse(logger, clusterName)
			if err != nil {
				res.Rejected[ref] = err.Error()
				continue
			}
			for _, r := range rules {
				for _, e := range r.Egress {
					fqdnSelectors = append(fqdnSelectors, e.ToFQDNs...)
				}
			}
			entries = append(entries, policyutils.RulesToPolicyEntries(rules)...)
		case "NetworkPolicy":
			var np slim_networkingv1.NetworkPolicy
			if err := json.Unmarshal(p, &np); err != nil {
				res.Rejected[ref] = "decode: " + err.Error()
				continue
			}
			if np.Namespace == "" {
				np.Namespace = "default"
			}
			e, err := k8s.ParseNetworkPolicy(logger, clusterName, &np)
			if err != nil {
				res.Rejected[ref] = err.Error()
				continue
			}
			entries = append(entries, e...)
		default:
			fail("scenario %s: unsupported kind %q", s.ID, head.Kind)
		}
	}

	// Identities.
	ids := map[string]*identity.Identity{}
	namedPorts := map[string]map[string]map[string]uint16{} // peer -> proto -> name -> port
	idmap := identity.IdentityMap{}
	next := identity.NumericIdentity(1000)
	nsByName := map[string]nsLabels{}
	for _, ns := range s.Namespaces {
		nsByName[ns.Name] = nsLabels{name: ns.Name, labels: ns.Labels}
	}
	byLabels := map[string]*identity.Identity{}
	for _, pod := range s.Pods {
		ns, ok := nsByName[pod.Namespace]
		if !ok {
			ns = nsLabels{name: pod.Namespace, labels: map[string]string{}}
		}
		podLabels := map[string]string{}
		for k, v := range pod.Labels {
			podLabels[k] = v
		}
		sa := pod.ServiceAccount
		if sa == "" {
			sa = "default"
		}
		sanitized := k8sUtils.SanitizePodLabels(podLabels, ns, sa, clusterName)
		idLabels, _ := labelsfilter.Filter(labels.Map2Labels(sanitized, labels.LabelSourceK8s))
		arr := idLabels.LabelArray().Sort()
		key := arr.String()
		id, seen := byLabels[key]
		if !seen {
			next++
			id = identity.NewIdentityFromLabelArray(next, arr)
			byLabels[key] = id
			idmap[id.ID] = id.LabelArray
		}
		name := pod.Namespace + "/" + pod.Name
		ids[name] = id
		np := map[string]map[string]uint16{"TCP": {}, "UDP": {}}
		for _, p := range pod.Ports {
			proto := strings.ToUpper(p.Protocol)
			if proto == "" {
				proto = "TCP"
			}
			if p.Name != "" && np[proto] != nil {
				np[proto][strings.ToLower(p.Name)] = p.Port
			}
		}
		namedPorts[name] = np
	}
	local := identity.IdentityScopeLocal
	for i, ext := range s.Externals {
		addr, err := netip.ParseAddr(ext.IP)
		if err != nil {
			fail("scenario %s: external %s: %v", s.ID, ext.Name, err)
		}
		lbls := labels.GetCIDRLabels(netip.PrefixFrom(addr, addr.BitLen()))
		if ext.DNSName != "" {
			for _, sel := range fqdnSelectors {
				re, err := sel.ToRegex()
				if err == nil && re.MatchString(dns.FQDN(strings.ToLower(ext.DNSName))) {
					l := sel.IdentityLabel()
					lbls[l.Key] = l
				}
			}
		}
		id := identity.NewIdentity(local+identity.NumericIdentity(i+1), lbls)
		idmap[id.ID] = id.LabelArray
		ids["external:"+ext.Name] = id
	}
	for name, ni := range reservedPeers {
		id := identity.LookupReservedIdentity(ni)
		idmap[id.ID] = id.LabelArray
		ids[name] = id
	}

	npm := ciliumtypes.NewNamedPortMultiMap()
	for _, pod := range s.Pods {
		m := ciliumtypes.NamedPortMap{}
		for _, p := range pod.Ports {
			proto, err := u8proto.ParseProtocol(p.Protocol)
			if err != nil || p.Name == "" {
				continue
			}
			m[strings.ToLower(p.Name)] = ciliumtypes.PortProto{Proto: proto, Port: p.Port}
		}
		npm.Update(ids[pod.Namespace+"/"+pod.Name].ID, nil, m)
	}

	idManager := identitymanager.NewIDManager(logger)
	repo := policy.NewPolicyRepository(logger, idmap, nil, noL7Translation{}, idManager, testpolicy.NewPolicyMetricsNoop())
	repo.SetNamedPortsGetter(portsByIdentity{npm})
	repo.GetSelectorCache().SetLocalIdentityNotifier(testidentity.NewDummyIdentityNotifier())
	idManager.Subscribe(testpolicy.SelectorCacheObserver{Cache: repo.GetSubjectSelectorCache()})
	if len(entries) > 0 {
		repo.MustAddPolicyEntries(entries)
	}

	for _, f := range s.Flows {
		from, to := ids[f.From], ids[f.To]
		if from == nil || to == nil {
			fail("scenario %s: flow %s -> %s names an unknown peer", s.ID, f.From, f.To)
		}
		proto, err := u8proto.ParseProtocol(f.Protocol)
		if err != nil {
			fail("scenario %s: protocol %q", s.ID, f.Protocol)
		}
		flow := policytypes.Flow{From: from, To: to, Proto: proto, Dport: f.Port}
		if np, ok := namedPorts[f.To]; ok {
			flow.NamedPortsTCP = np["TCP"]
			flow.NamedPortsUDP = np["UDP"]
		}
		verdict, _, _, err := policy.LookupFlow(logger, repo, idManager, flow)
		if err != nil {
			res.Flows = append(res.Flows, flowOut{Error: err.Error()})
			continue
		}
		res.Flows = append(res.Flows, flowOut{Egress: verdict.Egress.String(), Ingress: verdict.Ingress.String()})
	}
	return res
}
