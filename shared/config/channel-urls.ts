/**
 * Channel URLs relative to the stack's own URL (`/dev/webhooks/workshop`, and WeChat's API base
 * `/dev/wechat-api`, the local fake), so one config works
 * on any port. They are resolved once at cold start against the channel base URL: the local
 * runtime's own URL (it sets CHANNEL_BASE_URL), else the API's public URL (PUBLIC_BASE_URL, or
 * `publicBaseUrl` in the config), the path appended to it.
 */
import { ConfigError, parseConfig } from './load.ts';
import { type Config, relativeChannelUrl } from './schema.ts';

/** The config paths (`departments[0].channels[1].url`) of every relative channel URL. */
function relativeChannelUrls(config: Readonly<Config>): string[] {
  return [
    ...config.departments.flatMap((department, i) =>
      department.channels.flatMap((channel, j) =>
        'url' in channel && relativeChannelUrl.test(channel.url) ? [`departments[${i}].channels[${j}].url`] : [],
      ),
    ),
    ...(config.wechat && relativeChannelUrl.test(config.wechat.apiBaseUrl) ? ['wechat.apiBaseUrl'] : []),
  ];
}

/** The config with every relative channel URL appended to `baseUrl`, validated again. */
export function resolveChannelUrls(config: Readonly<Config>, baseUrl: string, source = 'config'): Readonly<Config> {
  if (relativeChannelUrls(config).length === 0) return config;
  const base = baseUrl.replace(/\/+$/, '');
  const absolute = <C extends Config['departments'][number]['channels'][number]>(channel: C): C =>
    'url' in channel && relativeChannelUrl.test(channel.url) ? { ...channel, url: `${base}${channel.url}` } : channel;
  const wechat = config.wechat;
  return parseConfig(
    {
      ...config,
      departments: config.departments.map((d) => ({ ...d, channels: d.channels.map(absolute) })),
      ...(wechat && relativeChannelUrl.test(wechat.apiBaseUrl)
        ? { wechat: { ...wechat, apiBaseUrl: `${base}${wechat.apiBaseUrl}` } }
        : {}),
    },
    `${source} (channel URLs relative to ${base})`,
  );
}

/** Stops a function that delivers alerts when a relative channel URL had no base URL to resolve against. */
export function requireAbsoluteChannelUrls(config: Readonly<Config>, source = 'config'): void {
  const relative = relativeChannelUrls(config);
  if (relative.length === 0) return;
  throw new ConfigError(
    `${source} is invalid:\n  ${relative
      .map(
        (path) =>
          `${path}: a relative URL needs the stack's base URL: set CHANNEL_BASE_URL or PUBLIC_BASE_URL, or publicBaseUrl in the config`,
      )
      .join('\n  ')}`,
  );
}
