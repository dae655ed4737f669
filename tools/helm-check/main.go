// Command helm-check validates the manifests `helm template` rendered, offline, and prints them as
// one JSON array for tools/helm-check/consistency.ts.
//
//   - Kubernetes' own kinds are decoded strictly into the k8s.io/api types of the version helm is
//     built with (client-go's scheme): an unknown or misspelt field, a duplicate field or a value
//     of the wrong type fails, as `kubectl apply --validate=strict` would.
//   - Operator kinds (KEDA, Strimzi, CloudNativePG) are validated against the JSON schemas in
//     crd-schemas/ beside this file (see its README for what they cover).
//   - Any other apiVersion/kind fails: a typo in either is caught here, not by the cluster.
//   - Then what the API server or a controller would reject or silently ignore: names that are
//     not DNS names, a workload whose selector does not match its pod template, a Service, a
//     PodDisruptionBudget or a NetworkPolicy that selects no pod of the release, an autoscaler
//     whose target does not exist, a probe on a port the container does not declare, and an app
//     container without probes or resource requests and limits.
//
// Usage: helm template ... | helm-check <crd-schemas dir>
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
)

type object struct {
	gvk   schema.GroupVersionKind
	name  string
	raw   map[string]any
	typed runtime.Object // nil for operator kinds
	// problem records what is wrong with the object; main prints them all at the end.
	problem func(format string, args ...any)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: helm template ... | helm-check <crd-schemas dir>")
		os.Exit(2)
	}
	schemas, err := loadSchemas(os.Args[1])
	if err != nil {
		fail(err)
	}
	objects, err := readObjects(os.Stdin)
	if err != nil {
		fail(err)
	}
	var problems []string
	strict := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	for _, o := range objects {
		o.problem = func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("%s %q: %s", o.gvk.Kind, o.name, fmt.Sprintf(format, args...)))
		}
		if scheme.Scheme.Recognizes(o.gvk) {
			doc, _ := json.Marshal(o.raw)
			typed, _, err := strict.Decode(doc, nil, nil)
			if err != nil {
				o.problem("%v", err)
				continue
			}
			o.typed = typed
		} else if s, ok := schemas[o.gvk]; ok {
			if err := s.Validate(toJSONValue(o.raw)); err != nil {
				o.problem("does not match crd-schemas/%s: %v", schemaFile(o.gvk), err)
			}
		} else {
			o.problem("apiVersion %s has no kind %s in the Kubernetes API nor in crd-schemas/", o.gvk.GroupVersion(), o.gvk.Kind)
			continue
		}
	}
	crossCheck(objects)
	if len(problems) > 0 {
		sort.Strings(problems)
		fmt.Fprintf(os.Stderr, "helm-check: %d problem(s):\n  - %s\n", len(problems), strings.Join(problems, "\n  - "))
		os.Exit(1)
	}
	raws := make([]map[string]any, len(objects))
	kinds := map[string]int{}
	for i, o := range objects {
		raws[i] = o.raw
		kinds[o.gvk.Kind]++
	}
	out, _ := json.Marshal(raws)
	os.Stdout.Write(append(out, '\n'))
	fmt.Fprintf(os.Stderr, "helm-check: %d objects valid %v\n", len(objects), kinds)
}

// readObjects splits the rendered stream into its documents; an empty document (a template that
// rendered nothing) is skipped, a document without apiVersion, kind or name is an error.
func readObjects(in io.Reader) ([]*object, error) {
	decoder := utilyaml.NewYAMLOrJSONDecoder(in, 4096)
	var objects []*object
	seen := map[string]bool{}
	for {
		var raw map[string]any
		if err := decoder.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("not YAML: %w", err)
		}
		if len(raw) == 0 {
			continue
		}
		apiVersion, _ := raw["apiVersion"].(string)
		kind, _ := raw["kind"].(string)
		metadata, _ := raw["metadata"].(map[string]any)
		name, _ := metadata["name"].(string)
		if apiVersion == "" || kind == "" || name == "" {
			return nil, fmt.Errorf("a document without apiVersion, kind or metadata.name: %v", raw)
		}
		gv, err := schema.ParseGroupVersion(apiVersion)
		if err != nil {
			return nil, err
		}
		key := apiVersion + "/" + kind + "/" + name
		if seen[key] {
			return nil, fmt.Errorf("%s %q is rendered twice", kind, name)
		}
		seen[key] = true
		objects = append(objects, &object{gvk: gv.WithKind(kind), name: name, raw: raw})
	}
	if len(objects) == 0 {
		return nil, errors.New("no objects rendered")
	}
	return objects, nil
}

func schemaFile(gvk schema.GroupVersionKind) string {
	return fmt.Sprintf("%s_%s_%s.json", gvk.Group, gvk.Version, strings.ToLower(gvk.Kind))
}

// loadSchemas compiles every <group>_<version>_<kind>.json in dir.
func loadSchemas(dir string) (map[schema.GroupVersionKind]*jsonschema.Schema, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no schemas in %s", dir)
	}
	compiler := jsonschema.NewCompiler()
	compiled := map[schema.GroupVersionKind]*jsonschema.Schema{}
	for _, file := range files {
		parts := strings.SplitN(strings.TrimSuffix(filepath.Base(file), ".json"), "_", 3)
		if len(parts) != 3 {
			return nil, fmt.Errorf("%s: name it <group>_<version>_<kind>.json", file)
		}
		s, err := compiler.Compile(file)
		if err != nil {
			return nil, err
		}
		var kind string
		if err := readKind(file, &kind); err != nil {
			return nil, err
		}
		compiled[schema.GroupVersionKind{Group: parts[0], Version: parts[1], Kind: kind}] = s
	}
	return compiled, nil
}

// readKind takes the kind's spelling from the schema's properties.kind.const.
func readKind(file string, kind *string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var doc struct {
		Properties struct {
			Kind struct {
				Const string `json:"const"`
			} `json:"kind"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Properties.Kind.Const == "" {
		return fmt.Errorf("%s: properties.kind.const must name the kind", file)
	}
	*kind = doc.Properties.Kind.Const
	return nil
}

// toJSONValue gives the validator numbers as json.Number, as it expects.
func toJSONValue(v map[string]any) any {
	data, _ := json.Marshal(v)
	out, _ := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	return out
}

type podTemplate struct {
	owner  *object
	labels labels.Set
	spec   corev1.PodSpec
}

func crossCheck(objects []*object) {
	var templates []podTemplate
	deployments := map[string]bool{}
	for _, o := range objects {
		checkName(o)
		switch typed := o.typed.(type) {
		case *appsv1.Deployment:
			deployments[o.name] = true
			checkSelector(o, typed.Spec.Selector, typed.Spec.Template.Labels)
			templates = append(templates, podTemplate{o, typed.Spec.Template.Labels, typed.Spec.Template.Spec})
			checkContainers(o, typed.Spec.Template.Spec, true)
		case *batchv1.Job:
			templates = append(templates, podTemplate{o, typed.Spec.Template.Labels, typed.Spec.Template.Spec})
			checkContainers(o, typed.Spec.Template.Spec, false)
			if p := typed.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
				o.problem("a Job's pods must have restartPolicy Never or OnFailure, not %q", p)
			}
		}
	}
	selectsSome := func(o *object, selector labels.Selector, what string) {
		for _, t := range templates {
			if selector.Matches(t.labels) {
				return
			}
		}
		o.problem("its %s selects no pod the chart renders", what)
	}
	for _, o := range objects {
		switch typed := o.typed.(type) {
		case *corev1.Service:
			selectsSome(o, labels.SelectorFromSet(typed.Spec.Selector), "selector")
			for _, port := range typed.Spec.Ports {
				if port.TargetPort.Type == intstr.String && !namedPortExists(templates, labels.SelectorFromSet(typed.Spec.Selector), port.TargetPort.StrVal) {
					o.problem("targetPort %q is no container port of the pods it selects", port.TargetPort.StrVal)
				}
			}
		case *policyv1.PodDisruptionBudget:
			if s, err := metav1.LabelSelectorAsSelector(typed.Spec.Selector); err != nil || typed.Spec.Selector == nil {
				o.problem("needs a valid selector")
			} else {
				selectsSome(o, s, "selector")
			}
		case *networkingv1.NetworkPolicy:
			if s, err := metav1.LabelSelectorAsSelector(&typed.Spec.PodSelector); err != nil {
				o.problem("podSelector: %v", err)
			} else {
				selectsSome(o, s, "podSelector")
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			ref := typed.Spec.ScaleTargetRef
			if ref.Kind != "Deployment" || !deployments[ref.Name] {
				o.problem("scales %s %q, which the chart does not render", ref.Kind, ref.Name)
			}
			if typed.Spec.MinReplicas != nil && *typed.Spec.MinReplicas > typed.Spec.MaxReplicas {
				o.problem("minReplicas %d above maxReplicas %d", *typed.Spec.MinReplicas, typed.Spec.MaxReplicas)
			}
		}
		if o.gvk.Group == "keda.sh" && o.gvk.Kind == "ScaledObject" {
			spec, _ := o.raw["spec"].(map[string]any)
			target, _ := spec["scaleTargetRef"].(map[string]any)
			if name, _ := target["name"].(string); !deployments[name] {
				o.problem("scales Deployment %q, which the chart does not render", name)
			}
		}
	}
}

func checkName(o *object) {
	var errs []string
	if o.gvk.Kind == "Service" {
		errs = validation.IsDNS1035Label(o.name)
	} else {
		errs = validation.IsDNS1123Subdomain(o.name)
	}
	for _, e := range errs {
		o.problem("name: %s", e)
	}
}

func checkSelector(o *object, selector *metav1.LabelSelector, podLabels map[string]string) {
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil || selector == nil || s.Empty() {
		o.problem("needs a non-empty selector")
		return
	}
	if !s.Matches(labels.Set(podLabels)) {
		o.problem("selector %s does not match its pod template's labels %v", s, podLabels)
	}
}

// checkContainers: the chart's app pods each declare probes on declared ports, and resources.
func checkContainers(o *object, spec corev1.PodSpec, longRunning bool) {
	for _, c := range spec.Containers {
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() ||
			c.Resources.Limits.Memory().IsZero() {
			o.problem("container %q lacks cpu and memory requests or a memory limit", c.Name)
		}
		if !longRunning {
			continue
		}
		if c.LivenessProbe == nil || c.ReadinessProbe == nil {
			o.problem("container %q lacks a liveness or readiness probe", c.Name)
		}
		for _, probe := range []*corev1.Probe{c.StartupProbe, c.LivenessProbe, c.ReadinessProbe} {
			if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Port.Type != intstr.String {
				continue
			}
			if !hasPort(c, probe.HTTPGet.Port.StrVal) {
				o.problem("container %q probes port %q, which it does not declare", c.Name, probe.HTTPGet.Port.StrVal)
			}
		}
		seen := map[string]bool{}
		for _, env := range c.Env {
			if seen[env.Name] {
				o.problem("container %q sets %s twice", c.Name, env.Name)
			}
			seen[env.Name] = true
		}
	}
}

func hasPort(c corev1.Container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func namedPortExists(templates []podTemplate, selector labels.Selector, name string) bool {
	for _, t := range templates {
		if !selector.Matches(t.labels) {
			continue
		}
		for _, c := range t.spec.Containers {
			if hasPort(c, name) {
				return true
			}
		}
	}
	return false
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "helm-check: %v\n", err)
	os.Exit(1)
}
