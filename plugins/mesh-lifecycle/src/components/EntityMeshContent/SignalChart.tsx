import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useMemo } from 'react';
import { ChartLine, chartRows } from './chartRows';

export type { ChartLine } from './chartRows';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

const time = (t: number) => new Date(t * 1000).toISOString().slice(11, 16);

/**
 * A time-series chart of a golden signal, one line per series (e.g. per
 * version or per quantile). Loaded lazily with recharts. Long series are
 * thinned to what the chart can show, spikes and gaps kept.
 */
export default function SignalChart(props: {
  lines: ChartLine[];
  format: (value: number) => string;
  width?: number;
}) {
  const { lines, format } = props;
  // Thinned beyond what the chart's width can show (long ranges, fine steps).
  const data = useMemo(() => chartRows(lines), [lines]);
  const chart = (
    <LineChart
      data={data}
      width={props.width}
      height={180}
      margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
    >
      <CartesianGrid strokeDasharray="3 3" />
      <XAxis dataKey="t" tickFormatter={time} minTickGap={24} />
      <YAxis tickFormatter={format} width={72} />
      <Tooltip
        labelFormatter={t => `${time(Number(t))} UTC`}
        formatter={value =>
          typeof value === 'number' ? format(value) : 'no data'
        }
      />
      {lines.length > 1 && <Legend />}
      {lines.map((line, i) => (
        <Line
          key={line.name}
          type="monotone"
          dataKey={line.name}
          stroke={COLORS[i % COLORS.length]}
          dot={false}
          isAnimationActive={false}
          connectNulls={false}
        />
      ))}
    </LineChart>
  );
  return props.width ? (
    chart
  ) : (
    <ResponsiveContainer width="100%" height={180}>
      {chart}
    </ResponsiveContainer>
  );
}
