/**
 * Serialises a {@link GraphBuilder} to an ONNX `ModelProto` with the maintained `@bufbuild/protobuf`
 * runtime and the pre-generated ONNX schema of `onnx-buf`. Weights stay in external data, so the
 * protobuf itself is small.
 *
 * @module
 */
import { create, toBinary } from "@bufbuild/protobuf";
import {
  type AttributeProto,
  AttributeProto_AttributeType,
  AttributeProtoSchema,
  ModelProtoSchema,
  type TensorProto,
  TensorProto_DataLocation,
  TensorProtoSchema,
  type ValueInfoProto,
  ValueInfoProtoSchema,
} from "onnx-buf";
import {
  type AttrValue,
  FloatAttr,
  type GraphBuilder,
  ONNX_DTYPE,
  type ValueInfo,
} from "./graph.ts";

/** Operator set versions a model imports, by domain (`""` = ai.onnx). */
export type Opsets = Record<string, number>;

/** The default opsets: ai.onnx 23 (RMSNormalization, RotaryEmbedding, Attention) and com.microsoft 1. */
export const DEFAULT_OPSETS: Opsets = { "": 23, "com.microsoft": 1 };

/** ONNX IR version written (onnxruntime 1.30 accepts up to 13 in practice; opset 23 needs 11+). */
export const IR_VERSION = 11n;

function valueInfo(v: ValueInfo): ValueInfoProto {
  return create(ValueInfoProtoSchema, {
    name: v.name,
    type: {
      value: {
        case: "tensorType",
        value: {
          elemType: ONNX_DTYPE[v.type],
          shape: v.dims && {
            dim: v.dims.map((d) => ({
              value: typeof d === "number"
                ? { case: "dimValue" as const, value: BigInt(d) }
                : { case: "dimParam" as const, value: d },
            })),
          },
        },
      },
    },
  });
}

function attribute(name: string, value: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (value instanceof FloatAttr) {
    return create(AttributeProtoSchema, { name, type: T.FLOAT, f: value.value });
  }
  if (typeof value === "string") {
    return create(AttributeProtoSchema, {
      name,
      type: T.STRING,
      s: new TextEncoder().encode(value),
    });
  }
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(value) })
      : create(AttributeProtoSchema, { name, type: T.FLOAT, f: value });
  }
  if (value.length > 0 && value.every((v) => typeof v === "number" && Number.isInteger(v))) {
    return create(AttributeProtoSchema, {
      name,
      type: T.INTS,
      ints: (value as number[]).map(BigInt),
    });
  }
  return create(AttributeProtoSchema, {
    name,
    type: T.FLOATS,
    floats: value.map((v) => (v instanceof FloatAttr ? v.value : v)),
  });
}

/** Encodes the builder's graph as ONNX protobuf bytes. */
export function serializeModel(graph: GraphBuilder, opsets: Opsets = DEFAULT_OPSETS): Uint8Array {
  const initializer: TensorProto[] = graph.initializers.map((init) =>
    create(TensorProtoSchema, {
      name: init.name,
      dataType: ONNX_DTYPE[init.type],
      dims: init.dims.map(BigInt),
      ...(init.external
        ? {
          dataLocation: TensorProto_DataLocation.EXTERNAL,
          externalData: [
            { key: "location", value: init.external.location },
            { key: "offset", value: String(init.external.offset) },
            { key: "length", value: String(init.external.length) },
          ],
        }
        : { rawData: init.raw as Uint8Array<ArrayBuffer> }),
    })
  );
  const model = create(ModelProtoSchema, {
    irVersion: IR_VERSION,
    producerName: "nanovlm-lab",
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({
      domain,
      version: BigInt(version),
    })),
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer,
      node: graph.nodes.map((n) => ({
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes).map(([k, v]) => attribute(k, v)),
      })),
    },
  });
  return toBinary(ModelProtoSchema, model);
}
