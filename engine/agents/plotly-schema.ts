/** The Plotly configuration ChartGenerator asks for (NodeTool: nodetool-base generators.py, simplified). */
const TRACE_TYPES = ["scatter", "bar", "pie", "line", "histogram", "box", "violin", "heatmap"];
const AXIS = {
  type: "object",
  properties: {
    title: { type: "string" },
    type: { type: "string", enum: ["linear", "log", "date", "category"] },
    range: { type: "array", minItems: 2, maxItems: 2, items: { type: "number" } },
  },
};

export const PLOTLY_CONFIG_SCHEMA: Record<string, unknown> = {
  type: "object",
  required: ["data"],
  properties: {
    data: {
      type: "array",
      description: "Array of trace objects",
      items: {
        type: "object",
        required: ["type"],
        properties: {
          type: { type: "string", enum: TRACE_TYPES },
          x: { type: "array", description: "X-axis values" },
          y: { type: "array", description: "Y-axis values" },
          mode: { type: "string", enum: ["lines", "markers", "text", "lines+markers", "text+markers", "text+lines", "text+lines+markers"] },
          name: { type: "string" },
          marker: { type: "object", properties: { color: { type: "string" }, size: { type: "number" }, opacity: { type: "number", minimum: 0, maximum: 1 } } },
          line: { type: "object", properties: { color: { type: "string" }, width: { type: "number" }, dash: { type: "string" } } },
          text: { type: "array", items: { type: "string" } },
        },
      },
    },
    layout: {
      type: "object",
      properties: { title: { type: "string" }, xaxis: AXIS, yaxis: AXIS, showlegend: { type: "boolean" }, height: { type: "number" }, width: { type: "number" } },
    },
    config: { type: "object", properties: { responsive: { type: "boolean" }, displayModeBar: { type: "boolean" }, scrollZoom: { type: "boolean" } } },
  },
};
