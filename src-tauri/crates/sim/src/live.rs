//! Live traffic: calls that ring, connect and end, played against callboard's webhook
//! listener the way each provider plays them, including the routing questions, whose
//! answers decide what happens next (a rejected caller is hung up on, a forwarding
//! target is rung). Every request and the answer it got is kept, for tests.
//!
//! - MTT: `getControlCallFollowMe` to the call-control URL, then the call-control events
//!   (`o`, `s`, `t`, `h`, and `sp`/`ep` around a rejection prompt) to the answer's
//!   `event_URL` (spec L1594–2016). A non-200 answer is MTT's reserve forwarding: no
//!   events follow.
//! - Beeline: `AgentRequest`, then `callStatus` for the `request_id` of the `AgentInfo`
//!   answer (spec 2.3–2.5).
//! - SpRecord: `msg=1` when the call arrives, `msg=2` when it ends (spec L32–50).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Moscow;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::population::Population;

/// Where each provider's requests go (the URLs callboard's listener gives for them).
#[derive(Debug, Clone, Default)]
pub struct LiveTargets {
    /// MTT: the call-control URL, and the line (`sip_id`) calls come to.
    pub mtt: Option<(String, String)>,
    /// MTT: the callback-progress URL, and the operator's number (leg A).
    pub mtt_callback: Option<(String, String)>,
    /// Beeline: the account's address, and the line (`B1`).
    pub beeline: Option<(String, String)>,
    /// SpRecord: the device's API address, and its channels' `(hard, user)` names; a
    /// channel carries one call at a time, as a telephone line does.
    pub sprecord: Option<(String, Vec<(String, String)>)>,
}

/// Which provider places a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveProvider {
    /// Routing question, then call-control events.
    Mtt,
    /// A click-to-call's progress: leg A (the operator), then leg B (the client).
    MttCallback,
    /// `AgentRequest`, then `callStatus`.
    Beeline,
    /// The recorder's `msg=1` and `msg=2`.
    Sprecord,
}

/// One call to play.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptedCall {
    /// Who places it.
    pub provider: LiveProvider,
    /// The caller, `7XXXXXXXXXX`.
    pub caller: String,
    /// Whether the operator picks up (when the call is put through at all).
    pub answered: bool,
    /// How long each target rings.
    pub ring: Duration,
    /// How long the conversation lasts, when answered.
    pub talk: Duration,
}

/// What became of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Played {
    /// Put through to `target` (answered or not, as scripted).
    Connected {
        /// The number rung last.
        target: String,
        /// Whether it picked up.
        answered: bool,
    },
    /// The routing answer rejected the caller.
    Rejected,
    /// The routing answer was not a 200: the provider's own fallback took the call.
    Fallback {
        /// The status of the answer.
        status: u16,
    },
    /// No routing question for this provider: the call just happened (SpRecord).
    Recorded {
        /// The recording's id on the device.
        idr: String,
        /// Whether the call was talked.
        answered: bool,
    },
}

/// One request the player sent and what came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// Where it went.
    pub url: String,
    /// What was sent.
    pub body: String,
    /// The answer's status and body.
    pub status: u16,
    /// The answer's body.
    pub answer: String,
}

/// Plays calls against the listener.
#[derive(Clone)]
pub struct LivePlayer {
    http: reqwest::Client,
    targets: LiveTargets,
    log: Arc<Mutex<Vec<Exchange>>>,
    population: Arc<Population>,
    /// Recorder channels with a call on them.
    busy: Arc<Mutex<std::collections::HashSet<String>>>,
}

/// Why a call could not be played.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The player was given no URL for this provider.
    #[error("{0} is not a target of this player")]
    NoTarget(&'static str),
    /// The listener could not be reached.
    #[error("request to the listener failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The answer to a routing question did not read as the spec says it must.
    #[error("the routing answer is not what the spec describes: {0}")]
    Answer(String),
    /// Every recorder channel has a call on it.
    #[error("every recorder channel is busy")]
    Busy,
}

impl LivePlayer {
    /// A player for `targets`, whose callers are the fleet's population for `seed`.
    pub fn new(targets: LiveTargets, seed: u64) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("a plain HTTP client"),
            targets,
            log: Arc::default(),
            population: Arc::new(Population::new(seed)),
            busy: Arc::default(),
        }
    }

    /// Every exchange so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The providers this player can place calls for.
    pub fn providers(&self) -> Vec<LiveProvider> {
        let t = &self.targets;
        [
            t.mtt.as_ref().map(|_| LiveProvider::Mtt),
            t.mtt_callback.as_ref().map(|_| LiveProvider::MttCallback),
            t.beeline.as_ref().map(|_| LiveProvider::Beeline),
            t.sprecord.as_ref().map(|_| LiveProvider::Sprecord),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Whether a recorder channel is free for another call.
    pub fn recorder_free(&self) -> bool {
        let busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        self.targets
            .sprecord
            .as_ref()
            .is_some_and(|(_, channels)| channels.iter().any(|(h, _)| !busy.contains(h)))
    }

    /// A call of a regular client (or, one time in `spam_every`, of `spam`).
    pub fn random_call(
        &self,
        rng: &mut impl Rng,
        spam: Option<&str>,
        spam_every: u32,
    ) -> Option<ScriptedCall> {
        let providers = self.providers();
        let provider = *providers.get(rng.gen_range(0..providers.len().max(1)))?;
        let caller = match spam {
            Some(s) if rng.gen_ratio(1, spam_every.max(1)) => s.to_owned(),
            _ => self.population.pick(rng).to_owned(),
        };
        Some(ScriptedCall {
            provider,
            caller,
            answered: rng.gen_bool(0.7),
            ring: Duration::from_millis(rng.gen_range(2_000..8_000)),
            talk: Duration::from_millis(rng.gen_range(5_000..40_000)),
        })
    }

    /// Places random calls, one every `gap` on average, until the task is dropped.
    pub fn start_traffic(
        &self,
        seed: u64,
        gap: Duration,
        spam: Option<String>,
    ) -> tokio::task::JoinHandle<()> {
        let player = self.clone();
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            loop {
                let wait = gap.mul_f64(rng.gen_range(0.3..1.7));
                tokio::time::sleep(wait).await;
                if let Some(call) = player.random_call(&mut rng, spam.as_deref(), 8) {
                    let p = player.clone();
                    tokio::spawn(async move {
                        if let Err(e) = p.play(&call).await {
                            tracing::warn!(error = %e, "simulated live call failed");
                        }
                    });
                }
            }
        })
    }

    /// Plays one call to its end.
    pub async fn play(&self, call: &ScriptedCall) -> Result<Played, LiveError> {
        match call.provider {
            LiveProvider::Mtt => self.play_mtt(call).await,
            LiveProvider::MttCallback => self.play_mtt_callback(call).await,
            LiveProvider::Beeline => self.play_beeline(call).await,
            LiveProvider::Sprecord => self.play_sprecord(call).await,
        }
    }

    async fn send(
        &self,
        url: &str,
        content_type: &str,
        body: String,
    ) -> Result<(u16, String), LiveError> {
        let r = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.clone())
            .send()
            .await?;
        let status = r.status().as_u16();
        let answer = r.text().await?;
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Exchange {
                url: url.to_owned(),
                body,
                status,
                answer: answer.clone(),
            });
        Ok((status, answer))
    }

    async fn play_mtt(&self, call: &ScriptedCall) -> Result<Played, LiveError> {
        let (url, line) = self.targets.mtt.clone().ok_or(LiveError::NoTarget("MTT"))?;
        let conf = conf_id(&mut rand::thread_rng());
        let ask = json!({"id": "1", "jsonrpc": "2.0", "method": "getControlCallFollowMe",
            "params": {"sip_id": line, "numberA": call.caller, "h323_conf_id": conf}});
        let (status, answer) = self.send(&url, "application/json", ask.to_string()).await?;
        if status != 200 {
            return Ok(Played::Fallback { status });
        }
        let answer: Value =
            serde_json::from_str(&answer).map_err(|e| LiveError::Answer(e.to_string()))?;
        let result = &answer["result"];
        let targets = result["followme_struct"][1]
            .as_array()
            .ok_or_else(|| LiveError::Answer(format!("no followme_struct in {answer}")))?;
        let events = result["event_URL"].as_str().map(str::to_owned);
        let extended = result["event_extended"] == "Y";
        let send = |kind: &str, side: Option<&str>, number: &str, cause: Option<&str>| {
            let now = Utc::now();
            let mut data = format!("event={kind}_{number}_{}", moscow_dashed(now));
            if let Some(c) = cause {
                data += &format!("&cause={c}");
            }
            let mut event = json!({"type": kind});
            if let Some(s) = side {
                event["side"] = json!(s);
            }
            if let Some(c) = cause.filter(|_| kind == "h") {
                event["cause"] = json!(c);
            }
            let mut body = json!({"date_time": now.timestamp(), "data": data, "event": event,
                "h323_conf_id": conf, "numberA": call.caller, "sip_id": line,
                "client_id": result["client_id"]});
            if side != Some("A") || kind == "h" {
                body["redirect_number"] = json!(number);
            }
            body.to_string()
        };
        let post = |body: String| {
            let events = events.clone();
            async move {
                match events {
                    Some(u) => self.send(&u, "application/json", body).await.map(|_| ()),
                    None => Ok(()),
                }
            }
        };
        let active: Vec<&Value> = targets.iter().filter(|t| t["ACTIVE"] == "Y").collect();
        if active.is_empty() {
            // Rejected: the prompt (when given) plays to the caller, then MTT hangs up.
            if extended && result.get("file_to_A").is_some() {
                post(send("sp", Some("A"), &call.caller, None)).await?;
                post(send("ep", Some("A"), &call.caller, None)).await?;
            }
            post(send("h", Some("A"), &call.caller, Some("21"))).await?;
            return Ok(Played::Rejected);
        }
        // Sequential (and single) ringing goes down the list; the first target stands
        // for parallel ringing, whose first answer takes the call.
        let rung: Vec<String> = match result["redirect_type"].as_u64() {
            Some(2) => active
                .iter()
                .filter_map(|t| t["REDIRECT_NUMBER"].as_str().map(str::to_owned))
                .collect(),
            _ => active
                .first()
                .and_then(|t| t["REDIRECT_NUMBER"].as_str())
                .map(|n| vec![n.to_owned()])
                .unwrap_or_default(),
        };
        let last = rung.len().saturating_sub(1);
        for (i, target) in rung.iter().enumerate() {
            post(send("o", None, target, None)).await?;
            tokio::time::sleep(call.ring).await;
            if call.answered && i == last {
                post(send("s", None, target, Some("16"))).await?;
                if extended {
                    post(send("t", None, target, None)).await?;
                }
                tokio::time::sleep(call.talk).await;
                post(send("h", Some("B"), target, Some("16"))).await?;
                return Ok(Played::Connected {
                    target: target.clone(),
                    answered: true,
                });
            }
        }
        let target = rung.last().cloned().unwrap_or_default();
        post(send("h", Some("B"), &target, Some("19"))).await?;
        Ok(Played::Connected {
            target,
            answered: false,
        })
    }

    /// A callback's progress events (spec L1572–1592), GETs with the event in the query;
    /// `phone_A` with a bare `+`, as MTT sends it.
    async fn play_mtt_callback(&self, call: &ScriptedCall) -> Result<Played, LiveError> {
        let (url, operator) = self
            .targets
            .mtt_callback
            .clone()
            .ok_or(LiveError::NoTarget("MTT callback"))?;
        let id: String = (0..32)
            .map(|_| format!("{:x}", rand::thread_rng().gen_range(0..16u8)))
            .collect();
        let get = |event: &str, extra: &str| format!("{url}?event={event}&id={id}{extra}");
        let pickup = format!("&phone_A=+{operator}");
        let mut steps: Vec<(String, Duration)> = vec![
            (get("start_side_A", ""), call.ring),
            (get("pickup_side_A", &pickup), Duration::ZERO),
            (get("start_side_B", ""), call.ring),
        ];
        if call.answered {
            steps.push((get("start_talk", ""), call.talk));
        }
        steps.push((get("end_side_B", ""), Duration::ZERO));
        steps.push((get("end_side_A", ""), Duration::ZERO));
        for (u, wait) in steps {
            let r = self.http.get(&u).send().await?;
            let status = r.status().as_u16();
            let answer = r.text().await?;
            self.log
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Exchange {
                    url: u,
                    body: String::new(),
                    status,
                    answer,
                });
            tokio::time::sleep(wait).await;
        }
        Ok(Played::Connected {
            target: call.caller.clone(),
            answered: call.answered,
        })
    }

    async fn play_beeline(&self, call: &ScriptedCall) -> Result<Played, LiveError> {
        let (url, line) = self
            .targets
            .beeline
            .clone()
            .ok_or(LiveError::NoTarget("Beeline"))?;
        let ask = format!(
            r#"<AgentRequest ScriptID="script-sim" HostID="spn-sim" SysID="1" A1="{}" B1="{line}" AddPar=""/>"#,
            call.caller
        );
        let (status, answer) = self.send(&url, "text/xml", ask).await?;
        if status != 200 {
            return Ok(Played::Fallback { status });
        }
        let request_id =
            xml_attr(&answer, "request_id").ok_or_else(|| LiveError::Answer(answer.clone()))?;
        let b0 = xml_attr(&answer, "B0").ok_or_else(|| LiveError::Answer(answer.clone()))?;
        let status_xml = |b0s: &str, b1s: &str, reason: &str, duration: u64| {
            format!(
                r#"<callStatus request_id="{request_id}" b0_state="{b0s}" b1_state="{b1s}" Reason="{reason}" TimeStamp="{}" CallDuration={duration} ScriptID="script-sim" HostID="spn-sim" SysID="1" AddPar=""/>"#,
                Utc::now().with_timezone(&Moscow).format("%Y%m%d%H%M%S")
            )
        };
        if b0.is_empty() {
            // An empty B0 rejects the call (2.4.4): the caller's side fails.
            self.send(&url, "text/xml", status_xml("", "FAILED", "21", 0))
                .await?;
            return Ok(Played::Rejected);
        }
        self.send(&url, "text/xml", status_xml("CALLING", "CONNECTED", "", 0))
            .await?;
        tokio::time::sleep(call.ring).await;
        if !call.answered {
            self.send(&url, "text/xml", status_xml("FAILED", "CONNECTED", "19", 0))
                .await?;
            return Ok(Played::Connected {
                target: b0,
                answered: false,
            });
        }
        self.send(
            &url,
            "text/xml",
            status_xml("CONNECTED", "CONNECTED", "", 0),
        )
        .await?;
        tokio::time::sleep(call.talk).await;
        let secs = call.talk.as_secs().max(1);
        self.send(
            &url,
            "text/xml",
            status_xml("SUCCESS", "SUCCESS", "1", secs),
        )
        .await?;
        Ok(Played::Connected {
            target: b0,
            answered: true,
        })
    }

    async fn play_sprecord(&self, call: &ScriptedCall) -> Result<Played, LiveError> {
        let (url, channels) = self
            .targets
            .sprecord
            .clone()
            .ok_or(LiveError::NoTarget("SpRecord"))?;
        let (hard, user) = {
            let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
            let free = channels
                .into_iter()
                .find(|(h, _)| !busy.contains(h))
                .ok_or(LiveError::Busy)?;
            busy.insert(free.0.clone());
            free
        };
        let played = self.record_on(call, &url, &hard, &user).await;
        self.busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&hard);
        played
    }

    /// One call on a recorder channel: `msg=1`, the ring and the talk, `msg=2`.
    async fn record_on(
        &self,
        call: &ScriptedCall,
        device_url: &str,
        hard: &str,
        user: &str,
    ) -> Result<Played, LiveError> {
        let form = |pairs: &[(&str, &str)]| {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            s.extend_pairs(pairs);
            s.finish()
        };
        let started = Utc::now();
        let local = |t: DateTime<Utc>| {
            t.with_timezone(&Moscow)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        };
        let caller = format!("8{}", &call.caller[1..]);
        let ring = form(&[
            ("msg", "1"),
            ("datetime", &local(started)),
            ("number", &caller),
            ("channel_hard_name", hard),
            ("channel_user_name", user),
        ]);
        self.send(device_url, "application/x-www-form-urlencoded", ring)
            .await?;
        tokio::time::sleep(call.ring).await;
        let talk = if call.answered {
            tokio::time::sleep(call.talk).await;
            call.talk.as_secs().max(1)
        } else {
            0
        };
        let idr = format!("{}", rand::thread_rng().gen_range(100_000..1_000_000u32));
        let end = form(&[
            ("msg", "2"),
            ("datetime", &local(Utc::now())),
            ("phone_from", &caller),
            ("channel_hard_name", hard),
            ("channel_user_name", user),
            ("call_type", "in"),
            ("duration_sec", &talk.to_string()),
            ("idr", &idr),
        ]);
        self.send(device_url, "application/x-www-form-urlencoded", end)
            .await?;
        Ok(Played::Recorded {
            idr,
            answered: call.answered,
        })
    }
}

/// An MTT call id: four groups of eight hex digits.
fn conf_id(rng: &mut impl Rng) -> String {
    (0..4)
        .map(|_| format!("{:08X}", rng.r#gen::<u32>()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2019-05-23-15-15-19`, Moscow time, as MTT writes event times in `data`.
fn moscow_dashed(t: DateTime<Utc>) -> String {
    t.with_timezone(&Moscow)
        .format("%Y-%m-%d-%H-%M-%S")
        .to_string()
}

/// An attribute's value in a one-element XML answer (`AgentInfo`), unescaped.
fn xml_attr(xml: &str, name: &str) -> Option<String> {
    let at = xml.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = xml[at..].find('"')? + at;
    Some(
        xml[at..end]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_info_attributes_are_read() {
        let xml = r#"<AgentInfo request_id="cb-1" A0="79161234567" B0="" ScriptID="s&amp;1" HostID="h"/>"#;
        assert_eq!(xml_attr(xml, "request_id").as_deref(), Some("cb-1"));
        assert_eq!(xml_attr(xml, "B0").as_deref(), Some(""));
        assert_eq!(xml_attr(xml, "ScriptID").as_deref(), Some("s&1"));
        assert_eq!(xml_attr(xml, "F0"), None);
    }

    #[test]
    fn conf_ids_look_like_mtts() {
        let id = conf_id(&mut StdRng::seed_from_u64(1));
        assert_eq!(id.len(), 35);
        assert_eq!(id.split(' ').count(), 4);
    }
}
