#!/usr/bin/env python3
"""Generates the service-model code of Rekey.Aws from botocore's service models.

Usage: python3 src/Rekey.Aws/Generator/generate.py   (writes src/Rekey.Aws/<Service>/Generated/*.cs)

Like AWS's own SDK generators, this reads the botocore service-2.json model (and paginators-1.json)
for the operations Rekey calls, and emits request/response/structure classes, string-enum constants,
typed exceptions, request marshallers, response unmarshallers, client operation methods and pagers.
The runtime plumbing they use (config, endpoints, auth, client base, error mapping) is hand-written
in src/Rekey.Aws/Runtime.
"""

import gzip
import json
import os
import re
import sys

import botocore

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(os.path.dirname(botocore.__file__), "data")

SERVICES = [
    {
        "model": "rds",
        "folder": "RDS",
        "namespace": "Rekey.Aws.RDS",
        "client": "AmazonRDSClient",
        "prefix": "AmazonRDS",
        "protocol": "query",
        "operations": [
            # CreateDBCluster, CreateDBProxy and CreateIntegration serve test fixtures and sandbox set-up.
            "AddRoleToDBCluster", "AddTagsToResource", "CreateDBCluster", "CreateDBClusterEndpoint", "CreateDBProxy", "CreateIntegration",
            "CreateDBClusterSnapshot", "CreateDBInstance", "DeleteDBCluster", "DeleteDBClusterEndpoint",
            "DeleteDBInstance", "DeregisterDBProxyTargets", "DescribeDBClusterEndpoints",
            "DescribeDBClusterSnapshots", "DescribeDBClusters", "DescribeDBInstances", "DescribeDBProxies",
            "DescribeDBProxyTargets", "DescribeEventSubscriptions", "DescribeEvents",
            "DescribeGlobalClusters", "DescribeIntegrations", "FailoverDBCluster", "ListTagsForResource",
            "ModifyDBCluster", "ModifyDBInstance", "RebootDBInstance", "RegisterDBProxyTargets", "RemoveRoleFromDBCluster",
            "RemoveTagsFromResource", "RestoreDBClusterToPointInTime",
            # Parameter groups: Blue/Green eligibility reads them, its fix copies one; Create* serve fixtures.
            "CopyDBClusterParameterGroup", "CreateDBClusterParameterGroup", "CreateDBParameterGroup",
            "DeleteDBClusterParameterGroup", "DescribeDBClusterParameterGroups", "DescribeDBClusterParameters",
            "DescribeDBParameterGroups", "DescribeDBParameters", "ModifyDBClusterParameterGroup",
            # Blue/Green strategy: a green cluster on the target key (TargetResourceConfigurations, patched in).
            "CreateBlueGreenDeployment", "DeleteBlueGreenDeployment", "DescribeBlueGreenDeployments",
            "SwitchoverBlueGreenDeployment",
        ],
    },
    {
        "model": "backup",
        "folder": "Backup",
        "namespace": "Rekey.Aws.Backup",
        "client": "AmazonBackupClient",
        "prefix": "AmazonBackup",
        "protocol": "rest-json",
        "operations": [
            "CreateBackupPlan", "CreateBackupSelection", "CreateBackupVault", "DescribeBackupJob",
            "DescribeBackupVault", "DescribeCopyJob", "DescribeGlobalSettings", "GetBackupPlan",
            "GetBackupSelection", "GetBackupVaultAccessPolicy", "ListBackupPlans", "ListBackupSelections",
            "ListCopyJobs", "ListRecoveryPointsByBackupVault", "PutBackupVaultAccessPolicy",
            "StartBackupJob", "StartCopyJob", "TagResource", "UpdateBackupPlan", "UpdateGlobalSettings",
        ],
    },
    {
        "model": "rds-data",
        "folder": "RDSDataService",
        "namespace": "Rekey.Aws.RDSDataService",
        "client": "AmazonRDSDataServiceClient",
        "prefix": "AmazonRDSDataService",
        "protocol": "rest-json",
        # Blue/Green: Rekey reads and advances the clusters' sequences through the Data API.
        "operations": ["ExecuteStatement"],
    },
    {
        "model": "sns",
        "folder": "SNS",
        "namespace": "Rekey.Aws.SNS",
        "client": "AmazonSimpleNotificationServiceClient",
        "prefix": "AmazonSimpleNotificationService",
        "protocol": "query",
        # CreateTopic serves test fixtures and sandbox set-up.
        "operations": ["CreateTopic", "GetTopicAttributes", "Publish"],
    },
    {
        "model": "cloudwatch",
        "folder": "CloudWatch",
        "namespace": "Rekey.Aws.CloudWatch",
        "client": "AmazonCloudWatchClient",
        "prefix": "AmazonCloudWatch",
        # The model prefers smithy-rpc-v2-cbor but still lists the AWS Query protocol, which every
        # CloudWatch endpoint serves; Query keeps CloudWatch on the same code path as RDS and SNS.
        "protocol": "query",
        "operations": ["GetMetricData"],
    },
    {
        "model": "organizations",
        "folder": "Organizations",
        "namespace": "Rekey.Aws.Organizations",
        "client": "AmazonOrganizationsClient",
        "prefix": "AmazonOrganizations",
        "protocol": "json",
        "operations": ["DescribeOrganization"],
    },
    {
        "model": "application-autoscaling",
        "folder": "ApplicationAutoScaling",
        "namespace": "Rekey.Aws.ApplicationAutoScaling",
        "client": "AmazonApplicationAutoScalingClient",
        "prefix": "AmazonApplicationAutoScaling",
        "protocol": "json",
        # Blue/Green does not carry an Aurora cluster's replica auto scaling: Rekey reads and re-creates it.
        "operations": ["DescribeScalableTargets", "DescribeScalingPolicies", "PutScalingPolicy", "RegisterScalableTarget"],
    },
    {
        "model": "iam",
        "folder": "IdentityManagement",
        "namespace": "Rekey.Aws.IdentityManagement",
        "client": "AmazonIdentityManagementServiceClient",
        "prefix": "AmazonIdentityManagementService",
        "protocol": "query",
        "operations": ["GetRole"],
    },
]

# Errors every service of a protocol can return although models do not list them
# (AWS "common errors"). The SDK retries the throttling ones itself.
COMMON_ERRORS = {
    "query": ["AccessDenied", "AccessDeniedException", "IncompleteSignature", "InvalidAction",
              "InvalidClientTokenId", "InvalidParameterCombination", "InvalidParameterValue",
              "MissingParameter", "ExpiredToken", "RequestExpired", "SignatureDoesNotMatch",
              "Throttling", "ValidationError", "OptInRequired"],
    "rest-json": ["AccessDeniedException", "ThrottlingException", "UnrecognizedClientException",
                  "ValidationException", "ExpiredTokenException", "IncompleteSignature",
                  "InvalidSignatureException"],
}
# AWS JSON services share REST-JSON's common errors (and its JSON error document).
COMMON_ERRORS["json"] = COMMON_ERRORS["rest-json"]

RESERVED_RESPONSE = {"ResponseMetadata", "ContentLength", "HttpStatusCode", "ServerDate", "RequestId"}

HEADER = """// <auto-generated>
// Generated by src/Rekey.Aws/Generator/generate.py from botocore {botocore} ({model}). Do not edit.
// </auto-generated>
#nullable enable
"""


def load_json(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def model_path(service, name):
    folder = os.path.join(DATA, service)
    version = sorted(os.listdir(folder))[-1]
    for candidate in (name + ".gz", name):
        path = os.path.join(folder, version, candidate)
        if os.path.exists(path):
            return path, version
    return None, version


def apply_patch(service, model):
    """Adds the documented members a served model predates (Generator/patches/<service>.json).

    A member the model already has is left as the model says: ModelPatchTests compares the two.
    """
    path = os.path.join(HERE, "patches", service + ".json")
    if not os.path.exists(path):
        return model
    patch = load_json(path)
    shapes = model["shapes"]
    for op_name, members in patch.get("inputMembers", {}).items():
        input_shape = shapes[model["operations"][op_name]["input"]["shape"]]
        for member, ref in members.items():
            if member in input_shape.setdefault("members", {}):
                continue
            input_shape["members"][member] = ref
            for name, shape in patch["shapes"].items():
                shapes.setdefault(name, shape)
    return model


def pascal(name):
    parts = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(p[:1].upper() + p[1:] for p in parts if p)
    if not text or text[0].isdigit():
        text = "Value" + text
    return text


def enum_constant(value):
    """RDS_INSTANCE -> RdsInstance, aurora-postgresql -> AuroraPostgresql, backupVault -> BackupVault."""
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", value) if p]
    text = "".join((p.capitalize() if p.isupper() else p[:1].upper() + p[1:]) for p in parts)
    if not text or text[0].isdigit():
        text = "Value" + text
    return text


def exception_name(code):
    if code.endswith("Fault"):
        return code[: -len("Fault")] + "Exception"
    if code.endswith("Exception"):
        return code
    return code + "Exception"


class Generator:
    def __init__(self, spec):
        self.spec = spec
        self.path, self.version = model_path(spec["model"], "service-2.json")
        self.model = apply_patch(spec["model"], load_json(self.path))
        self.shapes = self.model["shapes"]
        self.meta = self.model["metadata"]
        pag_path, _ = model_path(spec["model"], "paginators-1.json")
        self.paginators = load_json(pag_path)["pagination"] if pag_path else {}
        self.ns = spec["namespace"]
        self.protocol = spec["protocol"]
        self.ops = [self.model["operations"][o] for o in spec["operations"]]
        self.structures = []  # nested structure shapes, in discovery order
        self.enums = []
        self.errors = {}
        self._seen = set()
        self._local = 0
        op_shapes = set()
        for op in self.ops:
            for key in ("input", "output"):
                if key in op:
                    op_shapes.add(op[key]["shape"])
        for op in self.ops:
            for key in ("input", "output"):
                if key in op:
                    self._walk_members(self.shapes[op[key]["shape"]])
            for err in op.get("errors", []):
                shape = self.shapes[err["shape"]]
                code = shape.get("error", {}).get("code", err["shape"])
                self.errors[code] = exception_name(err["shape"])
        for code in COMMON_ERRORS[self.protocol]:
            self.errors.setdefault(code, exception_name(code))
        self.structures.sort()
        self.enums.sort()

    def _walk(self, name):
        if name in self._seen:
            return
        self._seen.add(name)
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            self.structures.append(name)
            self._walk_members(shape)
        elif kind == "list":
            self._walk(shape["member"]["shape"])
        elif kind == "map":
            self._walk(shape["key"]["shape"])
            self._walk(shape["value"]["shape"])
        elif kind == "string" and "enum" in shape:
            self.enums.append(name)

    def _walk_members(self, shape):
        for member in shape.get("members", {}).values():
            self._walk(member["shape"])

    # ---------- types ----------
    def cs_type(self, shape_name, element=False):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        scalar = {
            "string": "string", "integer": "int", "long": "long", "double": "double",
            "float": "float", "boolean": "bool", "timestamp": "DateTime", "blob": "MemoryStream",
        }
        if kind in scalar:
            return scalar[kind]
        if kind == "structure":
            # Qualified: a member may carry the same name as a structure type.
            return f"global::{self.ns}.Model.{shape_name}"
        if kind == "list":
            return "List<" + self.cs_type(shape["member"]["shape"], True) + ">"
        if kind == "map":
            return ("Dictionary<" + self.cs_type(shape["key"]["shape"], True) + ", "
                    + self.cs_type(shape["value"]["shape"], True) + ">")
        raise ValueError(f"unsupported shape type {kind} ({shape_name})")

    def next_local(self):
        """Numbers the locals of one method; reset per method so regenerating one operation leaves the others unchanged."""
        self._local += 1
        return self._local

    def prop_type(self, shape_name):
        return self.cs_type(shape_name) + "?"

    def prop_name(self, owner, member, reserved=()):
        name = pascal(member)
        if name == owner or name in reserved:
            name += "Value"
        return name

    def header(self):
        return HEADER.format(botocore=botocore.__version__, model=f"{self.spec['model']}/{self.version}")

    def doc(self, text, indent):
        text = re.sub(r"<[^>]+>", "", text or "").strip()
        text = re.sub(r"\s+", " ", text)
        if not text:
            return ""
        sentence = re.split(r"(?<=[.!?])\s", text)[0]
        sentence = sentence.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"{indent}/// <summary>{sentence}</summary>\n"

    # ---------- model classes ----------
    def gen_model(self):
        out = [self.header(), "namespace " + self.ns + ".Model;\n"]
        for op_name, op in zip(self.spec["operations"], self.ops):
            members = self.shapes[op["input"]["shape"]].get("members", {}) if "input" in op else {}
            required = self.shapes[op["input"]["shape"]].get("required", []) if "input" in op else []
            cls = op_name + "Request"
            out.append(self.doc(op.get("documentation"), ""))
            out.append(f"public sealed partial class {cls} : Amazon.Runtime.AmazonWebServiceRequest\n{{\n")
            out.append(self.members_code(cls, members, required))
            out.append("}\n\n")
            members = self.shapes[op["output"]["shape"]].get("members", {}) if "output" in op else {}
            cls = op_name + "Response"
            out.append(f"/// <summary>The result of {op_name}, with the server's Date and request id.</summary>\n")
            out.append(f"public sealed partial class {cls} : Rekey.Aws.Runtime.AwsResponse\n{{\n")
            out.append(self.members_code(cls, members, [], RESERVED_RESPONSE))
            out.append("}\n\n")
        for name in self.structures:
            shape = self.shapes[name]
            out.append(self.doc(shape.get("documentation"), ""))
            out.append(f"public sealed partial class {name}\n{{\n")
            out.append(self.members_code(name, shape.get("members", {}), shape.get("required", [])))
            out.append("}\n\n")
        for name in self.enums:
            shape = self.shapes[name]
            out.append(f"/// <summary>The values AWS defines for {name}.</summary>\n")
            out.append(f"public static class {name}\n{{\n")
            used = set()
            for value in shape["enum"]:
                const = enum_constant(value)
                while const in used or const == name:
                    const += "_"
                used.add(const)
                out.append(f"    public const string {const} = \"{value}\";\n")
            values = ", ".join(f'"{v}"' for v in shape["enum"])
            out.append(f"\n    /// <summary>Every value, in the model's order.</summary>\n")
            out.append(f"    public static IReadOnlyList<string> Values {{ get; }} = [{values}];\n")
            out.append("}\n\n")
        return "".join(out).rstrip() + "\n"

    def members_code(self, owner, members, required, reserved=()):
        out = []
        for member, ref in members.items():
            prop = self.prop_name(owner, member, reserved)
            out.append(self.doc(ref.get("documentation"), "    "))
            note = []
            if member in required:
                note.append("required")
            target = self.shapes[ref["shape"]]
            if target["type"] == "string" and "enum" in target:
                note.append(f"values in {ref['shape']}")
            if note:
                out.append(f"    // AWS: {', '.join(note)}.\n")
            out.append(f"    public {self.prop_type(ref['shape'])} {prop} {{ get; set; }}\n\n")
        return "".join(out).rstrip("\n") + ("\n" if out else "")

    # ---------- exceptions ----------
    def gen_exceptions(self):
        base = self.spec["prefix"] + "Exception"
        out = [self.header(), "using System.Net;\nusing Amazon.Runtime;\nusing Amazon.Runtime.Internal;\n\n",
               f"namespace {self.ns};\n\n"]
        out.append(f"/// <summary>An error {self.meta['serviceId']} returned; ErrorCode, Message and RequestId are AWS's.</summary>\n")
        out.append(f"public partial class {base} : AmazonServiceException\n{{\n")
        out.append(f"    public {base}(string message, Exception? innerException, ErrorType errorType, string? errorCode, string? requestId, HttpStatusCode statusCode)\n")
        out.append("        : base(message, innerException, errorType, errorCode, requestId, statusCode)\n    {\n    }\n}\n\n")
        for cls in sorted(set(self.errors.values())):
            codes = sorted(c for c, n in self.errors.items() if n == cls)
            out.append(f"/// <summary>{self.meta['serviceId']} error code {' or '.join(codes)}.</summary>\n")
            out.append(f"public sealed class {cls} : {base}\n{{\n")
            out.append(f"    public {cls}(string message, Exception? innerException, ErrorType errorType, string? errorCode, string? requestId, HttpStatusCode statusCode)\n")
            out.append("        : base(message, innerException, errorType, errorCode, requestId, statusCode)\n    {\n    }\n}\n\n")
        out.append(f"/// <summary>Maps {self.meta['serviceId']} error codes to their exception types.</summary>\n")
        out.append(f"internal static class {self.spec['prefix']}Errors\n{{\n")
        out.append("    public static AmazonServiceException Create(ErrorResponse error)\n    {\n")
        out.append("        var message = Rekey.Aws.Runtime.ServiceErrors.Describe(error);\n")
        out.append("        return error.Code switch\n        {\n")
        for code, cls in sorted(self.errors.items()):
            out.append(f"            \"{code}\" => new {cls}(message, error.InnerException, error.Type, error.Code, error.RequestId, error.StatusCode),\n")
        out.append(f"            _ => new {base}(message, error.InnerException, error.Type, error.Code, error.RequestId, error.StatusCode),\n")
        out.append("        };\n    }\n}\n")
        return "".join(out)

    # ---------- client operations ----------
    def gen_client(self):
        iface = "I" + self.spec["client"][: -len("Client")]
        head = [self.header(), "using System.Runtime.CompilerServices;\n", f"using {self.ns}.Model;\n",
                f"using {self.ns}.Model.Internal;\n\n", f"namespace {self.ns};\n\n"]
        members = []  # (doc, interface signature, implementation)
        for op_name, op in zip(self.spec["operations"], self.ops):
            sig = f"Task<{op_name}Response> {op_name}Async({op_name}Request request, CancellationToken cancellationToken = default)"
            impl = (f"    public virtual {sig}\n"
                    f"        => InvokeOperationAsync<{op_name}Response>(request, {op_name}RequestMarshaller.Instance, {op_name}ResponseUnmarshaller.Instance, cancellationToken);\n\n")
            members.append((self.doc(op.get("documentation"), "    "), sig, impl))
            pager = self.paginators.get(op_name)
            if pager and isinstance(pager.get("input_token"), str) and isinstance(pager.get("result_key"), (str, list)):
                result_key = pager["result_key"] if isinstance(pager["result_key"], str) else pager["result_key"][0]
                out_members = self.shapes[op["output"]["shape"]]["members"]
                item_type = self.cs_type(out_members[result_key]["shape"])[len("List<"):-1]
                in_tok = pascal(pager["input_token"])
                out_tok = pascal(pager["output_token"])
                key_prop = self.prop_name(op_name + "Response", result_key, RESERVED_RESPONSE)
                assert pager["output_token"] in out_members
                doc = f"    /// <summary>Every {item_type.split('.')[-1]} of {op_name}, following {out_tok} page by page; request.{in_tok} is advanced as pages are read.</summary>\n"
                sig = f"IAsyncEnumerable<{item_type}> {op_name}AllAsync({op_name}Request request, CancellationToken cancellationToken = default)"
                impl = (f"    public async IAsyncEnumerable<{item_type}> {op_name}AllAsync({op_name}Request request, [EnumeratorCancellation] CancellationToken cancellationToken = default)\n    {{\n"
                        "        ArgumentNullException.ThrowIfNull(request);\n"
                        "        do\n        {\n"
                        f"            var page = await {op_name}Async(request, cancellationToken).ConfigureAwait(false);\n"
                        f"            foreach (var item in page.{key_prop} ?? [])\n            {{\n                yield return item;\n            }}\n\n"
                        f"            request.{in_tok} = page.{out_tok};\n"
                        f"        }}\n        while (!string.IsNullOrEmpty(request.{in_tok}));\n    }}\n\n")
                members.append((doc, sig, impl))
        out = list(head)
        out.append(f"/// <summary>The {self.meta['serviceId']} operations Rekey calls (implemented by {self.spec['client']}).</summary>\n")
        # Not IAmazonService: its static abstract members would bar the interface from generic
        # arguments (Task<IAmazonRDS>, fakes); the configuration is exposed directly instead.
        out.append(f"public partial interface {iface} : IDisposable\n{{\n")
        out.append("    /// <summary>The client's configuration (region, endpoint, retries).</summary>\n")
        out.append("    Amazon.Runtime.IClientConfig Config { get; }\n\n")
        for doc, sig, _ in members:
            out.append(doc + f"    {sig};\n\n")
        out[-1] = out[-1].rstrip("\n") + "\n"
        out.append("}\n\n")
        out.append(f"public partial class {self.spec['client']} : {iface}\n{{\n")
        for doc, _, impl in members:
            out.append(doc + impl)
        out[-1] = out[-1].rstrip("\n") + "\n"
        out.append("}\n")
        return "".join(out)

    # ---------- metadata for tests and docs ----------
    def operation_names(self):
        return self.spec["operations"]

    # ---------- marshallers ----------
    def gen_marshallers(self):
        if self.protocol == "query":
            return self.gen_query_marshallers()
        if self.protocol == "json":
            return self.gen_json_marshallers()
        return self.gen_restjson_marshallers()

    def serialized_name(self, member, ref):
        return ref.get("locationName", member)

    def gen_query_marshallers(self):
        out = [self.header(), "using Amazon.Runtime;\nusing Amazon.Runtime.Internal;\nusing Amazon.Runtime.Internal.Transform;\nusing Rekey.Aws.Runtime;\n\n",
               f"namespace {self.ns}.Model.Internal;\n\n"]
        api = self.meta["apiVersion"]
        for op_name, op in zip(self.spec["operations"], self.ops):
            cls = op_name + "Request"
            out.append(f"/// <summary>Marshals {cls} into an AWS Query request (Action={op_name}, Version={api}).</summary>\n")
            out.append(f"internal sealed class {cls}Marshaller : IMarshaller<IRequest, AmazonWebServiceRequest>\n{{\n")
            out.append(f"    public static readonly {cls}Marshaller Instance = new();\n\n")
            out.append(f"    public IRequest Marshall(AmazonWebServiceRequest input)\n    {{\n")
            self._local = 0
            out.append(f"        var publicRequest = ({cls})input;\n")
            out.append(f"        var request = QueryRequests.Create(publicRequest, \"{self.spec['prefix']}\", \"{op_name}\", \"{api}\");\n")
            out.append("        var parameters = request.Parameters;\n")
            if "input" in op:
                shape = self.shapes[op["input"]["shape"]]
                for member, ref in shape.get("members", {}).items():
                    prop = self.prop_name(cls, member)
                    out.append(self.query_member(f"publicRequest.{prop}", ref, f"\"{self.serialized_name(member, ref)}\"", 2))
            out.append("        return request;\n    }\n}\n\n")
        out.append("/// <summary>Query serialization of the nested structures.</summary>\n")
        out.append("internal static class QueryStructureMarshallers\n{\n")
        for name in self.structures:
            shape = self.shapes[name]
            self._local = 0
            out.append(f"    public static void Marshall({name} value, IDictionary<string, string> parameters, string prefix)\n    {{\n")
            for member, ref in shape.get("members", {}).items():
                prop = self.prop_name(name, member)
                out.append(self.query_member(f"value.{prop}", ref, f"prefix + \".{self.serialized_name(member, ref)}\"", 2))
            out.append("    }\n\n")
        out[-1] = out[-1].rstrip("\n") + "\n"
        out.append("}\n")
        return "".join(out)

    def query_scalar(self, expr, shape_name):
        kind = self.shapes[shape_name]["type"]
        return {
            "string": f"{expr}",
            "integer": f"QueryValues.FromInt({expr})",
            "long": f"QueryValues.FromLong({expr})",
            "double": f"QueryValues.FromDouble({expr})",
            "float": f"QueryValues.FromDouble({expr})",
            "boolean": f"QueryValues.FromBool({expr})",
            "timestamp": f"QueryValues.FromTimestamp({expr})",
            "blob": f"QueryValues.FromBlob({expr})",
        }[kind]

    def query_member(self, expr, ref, key, depth):
        """Emits code writing `expr` (nullable) under the parameter name expression `key`."""
        ind = "    " * depth
        shape = self.shapes[ref["shape"]]
        kind = shape["type"]
        n = self.next_local()
        if kind == "structure":
            return (f"{ind}if ({expr} is {{ }} s{n})\n{ind}{{\n"
                    f"{ind}    QueryStructureMarshallers.Marshall(s{n}, parameters, {key});\n{ind}}}\n")
        if kind == "list":
            member_ref = shape["member"]
            flattened = shape.get("flattened", False)
            if flattened:
                if "locationName" in member_ref:
                    prefix = f"QueryValues.ReplaceLastName({key}, \"{member_ref['locationName']}\")"
                else:
                    prefix = key
            else:
                prefix = f"{key} + \".{member_ref.get('locationName', 'member')}\""
            code = (f"{ind}if ({expr} is {{ }} l{n})\n{ind}{{\n"
                    f"{ind}    if (l{n}.Count == 0)\n{ind}    {{\n{ind}        parameters[{key}] = string.Empty;\n{ind}    }}\n\n"
                    f"{ind}    for (var i{n} = 0; i{n} < l{n}.Count; i{n}++)\n{ind}    {{\n"
                    f"{ind}        var e{n} = l{n}[i{n}];\n")
            code += self.query_element(f"e{n}", member_ref, f"{prefix} + \".\" + QueryValues.FromInt(i{n} + 1)", depth + 2)
            code += f"{ind}    }}\n{ind}}}\n"
            return code
        if kind == "map":
            flattened = shape.get("flattened", False)
            entry = key if flattened else f"{key} + \".entry\""
            kname = shape["key"].get("locationName", "key")
            vname = shape["value"].get("locationName", "value")
            code = (f"{ind}if ({expr} is {{ }} m{n})\n{ind}{{\n"
                    f"{ind}    var i{n} = 0;\n"
                    f"{ind}    foreach (var kv{n} in m{n})\n{ind}    {{\n"
                    f"{ind}        i{n}++;\n"
                    f"{ind}        var entry{n} = {entry} + \".\" + QueryValues.FromInt(i{n});\n")
            code += self.query_element(f"kv{n}.Key", shape["key"], f"entry{n} + \".{kname}\"", depth + 2)
            code += self.query_element(f"kv{n}.Value", shape["value"], f"entry{n} + \".{vname}\"", depth + 2)
            code += f"{ind}    }}\n{ind}}}\n"
            return code
        value = self.query_scalar(f"v{n}", ref["shape"])
        pattern = f"is {{ }} v{n}"
        return f"{ind}if ({expr} {pattern})\n{ind}{{\n{ind}    parameters[{key}] = {value};\n{ind}}}\n"

    def query_element(self, expr, ref, key, depth):
        """Writes a non-null list element or map key/value."""
        shape = self.shapes[ref["shape"]]
        if shape["type"] in ("structure", "list", "map"):
            return self.query_member(expr, ref, key, depth)
        ind = "    " * depth
        if shape["type"] == "string" or shape["type"] == "blob":
            return f"{ind}parameters[{key}] = {self.query_scalar(expr, ref['shape'])};\n"
        return f"{ind}parameters[{key}] = {self.query_scalar(expr, ref['shape'])};\n"

    def gen_restjson_marshallers(self):
        out = [self.header(), "using System.Text.Json;\nusing Amazon.Runtime;\nusing Amazon.Runtime.Internal;\nusing Amazon.Runtime.Internal.Transform;\nusing Rekey.Aws.Runtime;\n\n",
               f"namespace {self.ns}.Model.Internal;\n\n"]
        for op_name, op in zip(self.spec["operations"], self.ops):
            cls = op_name + "Request"
            http = op["http"]
            shape = self.shapes[op["input"]["shape"]] if "input" in op else {"members": {}}
            members = shape.get("members", {})
            out.append(f"/// <summary>Marshals {cls} into {http['method']} {http['requestUri']}.</summary>\n")
            out.append(f"internal sealed class {cls}Marshaller : IMarshaller<IRequest, AmazonWebServiceRequest>\n{{\n")
            out.append(f"    public static readonly {cls}Marshaller Instance = new();\n\n")
            out.append(f"    public IRequest Marshall(AmazonWebServiceRequest input)\n    {{\n")
            self._local = 0
            out.append(f"        var publicRequest = ({cls})input;\n")
            path = http["requestUri"]
            query_in_path = ""
            if "?" in path:
                path, query_in_path = path.split("?", 1)
            out.append(f"        var request = RestJsonRequests.Create(publicRequest, \"{self.spec['prefix']}\", \"{http['method']}\", \"{path}\");\n")
            if query_in_path:
                for part in query_in_path.split("&"):
                    k, _, v = part.partition("=")
                    out.append(f"        request.Parameters[\"{k}\"] = \"{v}\";\n")
            body = []
            for member, ref in members.items():
                prop = self.prop_name(cls, member)
                loc = ref.get("location")
                wire = ref.get("locationName", member)
                if ref.get("idempotencyToken"):
                    out.append(f"        publicRequest.{prop} ??= Guid.NewGuid().ToString();\n")
                if loc == "uri":
                    greedy = "{" + wire + "+}" in path
                    label = "{" + wire + ("+}" if greedy else "}")
                    out.append(f"        if (string.IsNullOrEmpty(publicRequest.{prop}))\n        {{\n")
                    out.append(f"            throw new AmazonClientException(\"{cls}.{prop} is required: it is part of the request path.\");\n        }}\n\n")
                    # The SDK encodes label values itself ('/' included) and splits greedy ones.
                    out.append(f"        request.AddPathResource(\"{label}\", publicRequest.{prop});\n")
                elif loc == "querystring":
                    target = self.shapes[ref["shape"]]
                    if target["type"] == "list":
                        out.append(f"        if (publicRequest.{prop} is {{ }} q{prop})\n        {{\n")
                        out.append(f"            request.ParameterCollection.Add(\"{wire}\", q{prop}.Select(x => {self.query_scalar('x', target['member']['shape'])}).ToList());\n        }}\n\n")
                    else:
                        out.append(f"        if (publicRequest.{prop} is {{ }} q{prop})\n        {{\n")
                        out.append(f"            request.Parameters[\"{wire}\"] = {self.query_scalar('q' + prop, ref['shape'])};\n        }}\n\n")
                elif loc == "header":
                    out.append(f"        if (publicRequest.{prop} is {{ }} h{prop})\n        {{\n")
                    out.append(f"            request.Headers[\"{wire}\"] = {self.query_scalar('h' + prop, ref['shape'])};\n        }}\n\n")
                else:
                    body.append((member, ref, prop))
            if body:
                out.append("        JsonBody.Write(request, writer =>\n        {\n")
                for member, ref, prop in body:
                    out.append(self.json_member(f"publicRequest.{prop}", ref, ref.get("locationName", member), 3))
                out.append("        });\n")
            out.append("        return request;\n    }\n}\n\n")
        out.append(self.json_structure_marshallers())
        return "".join(out)

    def gen_json_marshallers(self):
        """AWS JSON 1.0/1.1: POST / with X-Amz-Target; every input member is in the JSON body, which is
        sent ("{}") even for an operation without input, as botocore does."""
        out = [self.header(), "using System.Text.Json;\nusing Amazon.Runtime;\nusing Amazon.Runtime.Internal;\nusing Amazon.Runtime.Internal.Transform;\nusing Rekey.Aws.Runtime;\n\n",
               f"namespace {self.ns}.Model.Internal;\n\n"]
        target_prefix = self.meta["targetPrefix"]
        json_version = self.meta["jsonVersion"]
        for op_name, op in zip(self.spec["operations"], self.ops):
            cls = op_name + "Request"
            target = f"{target_prefix}.{op_name}"
            shape = self.shapes[op["input"]["shape"]] if "input" in op else {"members": {}}
            out.append(f"/// <summary>Marshals {cls} into an AWS JSON {json_version} request (X-Amz-Target: {target}).</summary>\n")
            out.append(f"internal sealed class {cls}Marshaller : IMarshaller<IRequest, AmazonWebServiceRequest>\n{{\n")
            out.append(f"    public static readonly {cls}Marshaller Instance = new();\n\n")
            out.append(f"    public IRequest Marshall(AmazonWebServiceRequest input)\n    {{\n")
            self._local = 0
            out.append(f"        var publicRequest = ({cls})input;\n")
            out.append(f"        var request = AwsJsonRequests.Create(publicRequest, \"{self.spec['prefix']}\", \"{target}\", \"{json_version}\");\n")
            members = shape.get("members", {})
            for member, ref in members.items():
                if ref.get("idempotencyToken"):
                    out.append(f"        publicRequest.{self.prop_name(cls, member)} ??= Guid.NewGuid().ToString();\n")
            if members:
                out.append("        JsonBody.Write(request, writer =>\n        {\n")
                for member, ref in members.items():
                    prop = self.prop_name(cls, member)
                    out.append(self.json_member(f"publicRequest.{prop}", ref, ref.get("locationName", member), 3))
                out.append("        });\n")
            else:
                out.append("        JsonBody.Write(request, _ => { });\n")
            out.append("        return request;\n    }\n}\n\n")
        out.append(self.json_structure_marshallers())
        return "".join(out)

    def json_structure_marshallers(self):
        out = []
        out.append("/// <summary>JSON serialization of the nested structures.</summary>\n")
        out.append("internal static class JsonStructureMarshallers\n{\n")
        for name in self.structures:
            shape = self.shapes[name]
            self._local = 0
            out.append(f"    public static void Marshall({name} value, Utf8JsonWriter writer)\n    {{\n")
            out.append("        writer.WriteStartObject();\n")
            for member, ref in shape.get("members", {}).items():
                prop = self.prop_name(name, member)
                out.append(self.json_member(f"value.{prop}", ref, ref.get("locationName", member), 2))
            out.append("        writer.WriteEndObject();\n    }\n\n")
        if self.structures:
            out[-1] = out[-1].rstrip("\n") + "\n"
        out.append("}\n")
        return "".join(out)

    def json_member(self, expr, ref, wire, depth):
        ind = "    " * depth
        n = self.next_local()
        code = f"{ind}if ({expr} is {{ }} j{n})\n{ind}{{\n{ind}    writer.WritePropertyName(\"{wire}\");\n"
        code += self.json_value(f"j{n}", ref["shape"], depth + 1)
        code += f"{ind}}}\n"
        return code

    def json_value(self, expr, shape_name, depth):
        ind = "    " * depth
        shape = self.shapes[shape_name]
        kind = shape["type"]
        n = self.next_local()
        if kind == "structure":
            return f"{ind}JsonStructureMarshallers.Marshall({expr}, writer);\n"
        if kind == "list":
            return (f"{ind}writer.WriteStartArray();\n{ind}foreach (var x{n} in {expr})\n{ind}{{\n"
                    + self.json_value(f"x{n}", shape["member"]["shape"], depth + 1)
                    + f"{ind}}}\n\n{ind}writer.WriteEndArray();\n")
        if kind == "map":
            return (f"{ind}writer.WriteStartObject();\n{ind}foreach (var kv{n} in {expr})\n{ind}{{\n"
                    f"{ind}    writer.WritePropertyName(kv{n}.Key);\n"
                    + self.json_value(f"kv{n}.Value", shape["value"]["shape"], depth + 1)
                    + f"{ind}}}\n\n{ind}writer.WriteEndObject();\n")
        return {
            "string": f"{ind}writer.WriteStringValue({expr});\n",
            "integer": f"{ind}writer.WriteNumberValue({expr});\n",
            "long": f"{ind}writer.WriteNumberValue({expr});\n",
            "double": f"{ind}JsonValues.WriteDouble(writer, {expr});\n",
            "float": f"{ind}JsonValues.WriteDouble(writer, {expr});\n",
            "boolean": f"{ind}writer.WriteBooleanValue({expr});\n",
            "timestamp": f"{ind}JsonValues.WriteEpochSeconds(writer, {expr});\n",
            "blob": f"{ind}writer.WriteBase64StringValue({expr}.ToArray());\n",
        }[kind]

    # ---------- unmarshallers ----------
    def gen_unmarshallers(self):
        if self.protocol == "query":
            return self.gen_xml_unmarshallers()
        return self.gen_json_unmarshallers()

    SIMPLE = {
        "string": "StringUnmarshaller", "integer": "IntUnmarshaller", "long": "LongUnmarshaller",
        "double": "DoubleUnmarshaller", "float": "FloatUnmarshaller", "boolean": "BoolUnmarshaller",
        "timestamp": "DateTimeUnmarshaller", "blob": "MemoryStreamUnmarshaller",
    }
    NULLABLE = {
        "string": "StringUnmarshaller", "integer": "NullableIntUnmarshaller", "long": "NullableLongUnmarshaller",
        "double": "NullableDoubleUnmarshaller", "float": "NullableFloatUnmarshaller",
        "boolean": "NullableBoolUnmarshaller", "timestamp": "NullableDateTimeUnmarshaller",
        "blob": "MemoryStreamUnmarshaller",
    }

    def unmarshaller_of(self, shape_name, nullable):
        shape = self.shapes[shape_name]
        if shape["type"] == "structure":
            return f"{shape_name}Unmarshaller"
        table = self.NULLABLE if nullable else self.SIMPLE
        return table[shape["type"]]

    def gen_xml_unmarshallers(self):
        out = [self.header(), "using System.Net;\nusing Amazon.Runtime;\nusing Amazon.Runtime.Internal.Transform;\nusing Rekey.Aws.Runtime;\n\n",
               f"namespace {self.ns}.Model.Internal;\n\n"]
        for op_name, op in zip(self.spec["operations"], self.ops):
            cls = op_name + "Response"
            wrapper = op.get("output", {}).get("resultWrapper")
            out.append(f"/// <summary>Reads the XML answer to {op_name}.</summary>\n")
            out.append(f"internal sealed class {cls}Unmarshaller : QueryResponseUnmarshaller\n{{\n")
            out.append(f"    public static readonly {cls}Unmarshaller Instance = new();\n\n")
            out.append(f"    protected override AmazonServiceException CreateException(Amazon.Runtime.Internal.ErrorResponse error) => {self.spec['prefix']}Errors.Create(error);\n\n")
            out.append(f"    protected override AwsResponse UnmarshallResponse(XmlUnmarshallerContext context)\n    {{\n")
            out.append(f"        var response = new {cls}();\n")
            out.append("        context.Read();\n        var depth = context.CurrentDepth;\n")
            out.append("        while (context.ReadAtDepth(depth))\n        {\n            if (!context.IsStartElement)\n            {\n                continue;\n            }\n\n")
            if wrapper:
                out.append(f"            if (context.TestExpression(\"{wrapper}\", 2))\n            {{\n                UnmarshallResult(context, response);\n            }}\n            else ")
            else:
                out.append("            ")
            out.append("if (context.TestExpression(\"ResponseMetadata\", 2))\n            {\n")
            out.append("                response.ResponseMetadata = ResponseMetadataUnmarshaller.Instance.Unmarshall(context);\n            }\n        }\n\n")
            out.append("        return response;\n    }\n")
            if wrapper:
                shape = self.shapes[op["output"]["shape"]]
                out.append(f"\n    private static void UnmarshallResult(XmlUnmarshallerContext context, {cls} value)\n    {{\n")
                out.append("        var originalDepth = context.CurrentDepth;\n        var targetDepth = originalDepth + 1;\n")
                out.append("        while (context.ReadAtDepth(originalDepth))\n        {\n")
                out.append("            if (!context.IsStartElement && !context.IsAttribute)\n            {\n                continue;\n            }\n\n")
                out.append(self.xml_members(cls, shape, 3, RESERVED_RESPONSE))
                out.append("        }\n    }\n")
            out.append("}\n\n")
        for name in self.structures:
            shape = self.shapes[name]
            out.append(f"internal sealed class {name}Unmarshaller : IXmlUnmarshaller<{name}, XmlUnmarshallerContext>\n{{\n")
            out.append(f"    public static readonly {name}Unmarshaller Instance = new();\n\n")
            out.append(f"    public {name} Unmarshall(XmlUnmarshallerContext context)\n    {{\n")
            out.append(f"        var value = new {name}();\n")
            out.append("        var originalDepth = context.CurrentDepth;\n        var targetDepth = originalDepth + 1;\n")
            out.append("        if (context.IsStartOfDocument)\n        {\n            targetDepth += 2;\n        }\n\n")
            out.append("        while (context.Read())\n        {\n")
            out.append("            if (context.IsStartElement || context.IsAttribute)\n            {\n")
            out.append(self.xml_members(name, shape, 4))
            out.append("            }\n            else if (context.IsEndElement && context.CurrentDepth < originalDepth)\n            {\n                return value;\n            }\n")
            out.append("        }\n\n        return value;\n    }\n}\n\n")
        return "".join(out).rstrip() + "\n"

    def xml_members(self, owner, shape, depth, reserved=()):
        ind = "    " * depth
        out = []
        for member, ref in shape.get("members", {}).items():
            prop = self.prop_name(owner, member, reserved)
            wire = ref.get("locationName", member)
            target = self.shapes[ref["shape"]]
            kind = target["type"]
            if kind == "list":
                mref = target["member"]
                elem_type = self.cs_type(mref["shape"], True)
                um = self.unmarshaller_of(mref["shape"], False)
                if self.shapes[mref["shape"]]["type"] in ("list", "map"):
                    raise ValueError(f"nested collection in XML list {owner}.{member}")
                if target.get("flattened"):
                    item = mref.get("locationName", wire)
                    out.append(f"{ind}if (context.TestExpression(\"{item}\", targetDepth))\n{ind}{{\n")
                    out.append(f"{ind}    (value.{prop} ??= new List<{elem_type}>()).Add({um}.Instance.Unmarshall(context));\n{ind}    continue;\n{ind}}}\n\n")
                else:
                    item = mref.get("locationName", "member")
                    out.append(f"{ind}if (context.TestExpression(\"{wire}/{item}\", targetDepth))\n{ind}{{\n")
                    out.append(f"{ind}    (value.{prop} ??= new List<{elem_type}>()).Add({um}.Instance.Unmarshall(context));\n{ind}    continue;\n{ind}}}\n\n")
                    out.append(f"{ind}if (context.TestExpression(\"{wire}\", targetDepth))\n{ind}{{\n")
                    out.append(f"{ind}    value.{prop} ??= new List<{elem_type}>();\n{ind}    continue;\n{ind}}}\n\n")
            elif kind == "map":
                ktype = self.cs_type(target["key"]["shape"], True)
                vtype = self.cs_type(target["value"]["shape"], True)
                kum = self.unmarshaller_of(target["key"]["shape"], False)
                vum = self.unmarshaller_of(target["value"]["shape"], False)
                kname = target["key"].get("locationName", "key")
                vname = target["value"].get("locationName", "value")
                entry = wire if target.get("flattened") else f"{wire}/entry"
                out.append(f"{ind}if (context.TestExpression(\"{entry}\", targetDepth))\n{ind}{{\n")
                out.append(f"{ind}    var entry = new XmlKeyValueUnmarshaller<{ktype}, {vtype}, {kum}, {vum}>({kum}.Instance, {vum}.Instance, \"{kname}\", \"{vname}\").Unmarshall(context);\n")
                out.append(f"{ind}    (value.{prop} ??= new Dictionary<{ktype}, {vtype}>())[entry.Key] = entry.Value;\n{ind}    continue;\n{ind}}}\n\n")
                if not target.get("flattened"):
                    out.append(f"{ind}if (context.TestExpression(\"{wire}\", targetDepth))\n{ind}{{\n")
                    out.append(f"{ind}    value.{prop} ??= new Dictionary<{ktype}, {vtype}>();\n{ind}    continue;\n{ind}}}\n\n")
            else:
                um = self.unmarshaller_of(ref["shape"], True)
                out.append(f"{ind}if (context.TestExpression(\"{wire}\", targetDepth))\n{ind}{{\n")
                out.append(f"{ind}    value.{prop} = {um}.Instance.Unmarshall(context);\n{ind}    continue;\n{ind}}}\n\n")
        return "".join(out)

    def gen_json_unmarshallers(self):
        out = [self.header(), "using System.Text.Json;\nusing Amazon.Runtime;\nusing Amazon.Runtime.Internal.Transform;\nusing Amazon.Runtime.Internal.Util;\nusing Rekey.Aws.Runtime;\n\n",
               f"namespace {self.ns}.Model.Internal;\n\n"]
        for op_name, op in zip(self.spec["operations"], self.ops):
            cls = op_name + "Response"
            shape = self.shapes[op["output"]["shape"]] if "output" in op else {"members": {}}
            out.append(f"/// <summary>Reads the JSON answer to {op_name}.</summary>\n")
            out.append(f"internal sealed class {cls}Unmarshaller : JsonProtocolResponseUnmarshaller\n{{\n")
            out.append(f"    public static readonly {cls}Unmarshaller Instance = new();\n\n")
            out.append(f"    protected override AmazonServiceException CreateException(Amazon.Runtime.Internal.ErrorResponse error) => {self.spec['prefix']}Errors.Create(error);\n\n")
            out.append(f"    protected override AwsResponse UnmarshallResponse(JsonUnmarshallerContext context, ref StreamingUtf8JsonReader reader)\n    {{\n")
            out.append(f"        var value = new {cls}();\n")
            if shape.get("members"):
                out.append("        context.Read(ref reader);\n        var targetDepth = context.CurrentDepth;\n")
                out.append("        while (context.ReadAtDepth(targetDepth, ref reader))\n        {\n")
                out.append(self.json_members(cls, shape, 3, RESERVED_RESPONSE))
                out.append("        }\n\n")
            out.append("        return value;\n    }\n}\n\n")
        for name in self.structures:
            shape = self.shapes[name]
            out.append(f"internal sealed class {name}Unmarshaller : IJsonUnmarshaller<{name}, JsonUnmarshallerContext>\n{{\n")
            out.append(f"    public static readonly {name}Unmarshaller Instance = new();\n\n")
            out.append(f"    public {name} Unmarshall(JsonUnmarshallerContext context, ref StreamingUtf8JsonReader reader)\n    {{\n")
            out.append(f"        var value = new {name}();\n")
            out.append("        context.Read(ref reader);\n        if (context.CurrentTokenType == JsonTokenType.Null)\n        {\n            return value;\n        }\n\n")
            out.append("        var targetDepth = context.CurrentDepth;\n")
            out.append("        while (context.ReadAtDepth(targetDepth, ref reader))\n        {\n")
            out.append(self.json_members(name, shape, 3))
            out.append("        }\n\n        return value;\n    }\n}\n\n")
        return "".join(out).rstrip() + "\n"

    def json_unmarshaller_expr(self, shape_name, nullable):
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "list":
            m = shape["member"]["shape"]
            return (f"new JsonListUnmarshaller<{self.cs_type(m, True)}, {self.json_um_type(m)}>({self.json_unmarshaller_expr(m, False)})")
        if kind == "map":
            k, v = shape["key"]["shape"], shape["value"]["shape"]
            return (f"new JsonDictionaryUnmarshaller<{self.cs_type(k, True)}, {self.cs_type(v, True)}, {self.json_um_type(k)}, {self.json_um_type(v)}>("
                    f"{self.json_unmarshaller_expr(k, False)}, {self.json_unmarshaller_expr(v, False)})")
        return self.unmarshaller_of(shape_name, nullable) + ".Instance"

    def json_um_type(self, shape_name):
        shape = self.shapes[shape_name]
        if shape["type"] == "list":
            m = shape["member"]["shape"]
            return f"JsonListUnmarshaller<{self.cs_type(m, True)}, {self.json_um_type(m)}>"
        if shape["type"] == "map":
            k, v = shape["key"]["shape"], shape["value"]["shape"]
            return f"JsonDictionaryUnmarshaller<{self.cs_type(k, True)}, {self.cs_type(v, True)}, {self.json_um_type(k)}, {self.json_um_type(v)}>"
        return self.unmarshaller_of(shape_name, False)

    def json_members(self, owner, shape, depth, reserved=()):
        ind = "    " * depth
        out = []
        first = True
        for member, ref in shape.get("members", {}).items():
            prop = self.prop_name(owner, member, reserved)
            wire = ref.get("locationName", member)
            kw = "if" if first else "else if"
            first = False
            out.append(f"{ind}{kw} (context.TestExpression(\"{wire}\", targetDepth))\n{ind}{{\n")
            out.append(f"{ind}    value.{prop} = {self.json_unmarshaller_expr(ref['shape'], True)}.Unmarshall(context, ref reader);\n{ind}}}\n")
        return "".join(out)


def main():
    for spec in SERVICES:
        gen = Generator(spec)
        folder = os.path.join(ROOT, spec["folder"], "Generated")
        os.makedirs(folder, exist_ok=True)
        files = {
            "Model.cs": gen.gen_model(),
            "Exceptions.cs": gen.gen_exceptions(),
            "Operations.cs": gen.gen_client(),
            "Marshallers.cs": gen.gen_marshallers(),
            "Unmarshallers.cs": gen.gen_unmarshallers(),
        }
        for name, text in files.items():
            text = re.sub(r"\n{3,}", "\n\n", text)
            text = re.sub(r"\n\n(\s*})", r"\n\1", text)
            with open(os.path.join(folder, name), "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        print(f"{spec['folder']}: {len(gen.ops)} operations, {len(gen.structures)} structures, "
              f"{len(gen.enums)} enums, {len(set(gen.errors.values()))} exceptions", file=sys.stderr)


if __name__ == "__main__":
    main()
