#!/bin/sh
# Bootstrap of the "dns" flavour: dnsmasq answers the internal network and hands
# the pots' own domain (and its reverse zone) over to a development consul server.
# Meant for the pot named by POT_DNS_NAME on the public bridge.
set -e

pkg install -y dnsmasq consul
pkg clean -ayq
mkdir -p /usr/local/etc/consul.d

# this pot's IPv4 address, on the jail side of its epair
iface="$(ifconfig -l | tr ' ' '\n' | grep '^epair.*b$' | head -n 1)"
addr="$(ifconfig "$iface" inet | awk '$1 == "inet" { print $2; exit }')"
# the domain is the second label of the host name (<pot>.<domain>...)
domain="$(hostname | cut -d . -f 2)"
first="$(echo "$addr" | cut -d . -f 1)"
second="$(echo "$addr" | cut -d . -f 2)"

cat >> /usr/local/etc/dnsmasq.conf <<CONF
server=/${domain}/127.0.0.1#8600
server=/0.${second}.${first}.in-addr.arpa/127.0.0.1#8600
listen-address=${addr}
CONF

sysrc dnsmasq_enable=YES
sysrc consul_enable=YES
sysrc consul_args="-server -dev -domain=${domain} -bind=${addr}"
